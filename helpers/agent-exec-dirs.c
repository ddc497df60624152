/* nova-agent-exec: the directories systemd made for this start. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent-exec.h"

/* $RUNTIME_DIRECTORY lists the unit's RuntimeDirectory= entries, ':'
 * between them, in an order systemd does not promise (252 puts the scratch
 * one first): the agent's own directory, and its scratch directory, the one
 * below a ".../nova/scratch/" (units/nova-agent@.service.in). Split once;
 * NULL for what is not there. */
enum { DIR_RUNTIME, DIR_SCRATCH };

static bool is_scratch(const char *dir, size_t n) {
        static const char scratch[] = "/nova/scratch/";
        for (size_t i = 0; i + sizeof(scratch) - 1 <= n; i++)
                if (strncmp(dir + i, scratch, sizeof(scratch) - 1) == 0)
                        return true;
        return false;
}

static const char *runtime_entry(unsigned which) {
        static char *entries[2];
        static bool split = false;

        if (!split) {
                const char *v = getenv("RUNTIME_DIRECTORY");
                split = true;
                for (const char *p = v; p && *p;) {
                        size_t n = strcspn(p, ":");
                        unsigned k = is_scratch(p, n) ? DIR_SCRATCH : DIR_RUNTIME;
                        if (n > 0 && !entries[k])
                                entries[k] = strndup(p, n);
                        p += n + (p[n] == ':');
                }
        }
        return entries[which];
}

const char *runtime_directory(void) {
        return runtime_entry(DIR_RUNTIME);
}

const char *scratch_directory(void) {
        return runtime_entry(DIR_SCRATCH);
}
