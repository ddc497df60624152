/* nova-agent-exec: the directories systemd made for this start. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-exec.h"
#include "str-util.h"

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

/* Not the top: systemd would chown that (and all below it) back to root
 * before ExecStart=, as it does not find it root's. */
int scratch_prepare(uid_t uid) {
        const char *dir = scratch_directory();
        if (!dir)
                return 0;
        _cleanup_(freep) char *path = str_printf("%s/" SCRATCH_SUBDIR, dir);
        if (!path)
                return log_oom();
        if ((mkdir(path, 0700) < 0 && errno != EEXIST) || lchown(path, uid, (gid_t) uid) < 0) {
                log_error("%s: %s", path, strerror(errno));
                return -EIO;
        }
        return 0;
}
