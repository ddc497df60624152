/* nova-agent-exec: the directories systemd made for this start. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent-exec.h"

/* $RUNTIME_DIRECTORY lists the unit's RuntimeDirectory= entries, ':'
 * between them: the agent's own directory, then its scratch directory
 * (units/nova-agent@.service.in). Split once; NULL for what is not there. */
static const char *runtime_entry(unsigned i) {
        static char *entries[2];
        static bool split = false;

        if (!split) {
                const char *v = getenv("RUNTIME_DIRECTORY");
                size_t n = v ? strcspn(v, ":") : 0;
                split = true;
                if (n > 0)
                        entries[0] = strndup(v, n);
                if (n > 0 && v[n] == ':' && v[n + 1] != '\0' && !strchr(v + n + 1, ':'))
                        entries[1] = strdup(v + n + 1);
        }
        return entries[i];
}

const char *runtime_directory(void) {
        return runtime_entry(0);
}

const char *scratch_directory(void) {
        return runtime_entry(1);
}
