/* Step "pool": the workspace pool, slot k being the default workspace of
 * agent "agent-%03d" (k = 1..N): SETUP_WORKSPACES/agent-001 … created 0700
 * root:root. nova-agent-exec --prepare hands a slot to its agent's own UID at
 * every start and --release gives it back to root at stop (agent-workspace.h);
 * a symlink here (the DynamicUser= layout of 0.x, until the postinst moved it
 * back) is a slot in use, and is left alone. The parent is 0711, so an agent
 * reaches its own slot but cannot list the others. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-tmp.h"
#include "file-util.h"
#include "project-quota.h"
#include "setup.h"
#include "str-util.h"

#define PRIVATE_WORKSPACES LOCALSTATEDIR "/lib/private/nova-agents/workspaces"

static int parent_check(Setup *s, char **reason) {
        struct stat st;

        if (stat(SETUP_WORKSPACES, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                reason_append(reason, "create %s 0711", SETUP_WORKSPACES);
                if (!setup_writes(s))
                        return 1;
                if (mkdir(LOCALSTATEDIR "/lib/nova-agents", 0755) < 0 && errno != EEXIST)
                        return -errno;
                return mkdir(SETUP_WORKSPACES, 0711) < 0 ? -errno : 1;
        }
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if ((st.st_mode & 07777) == 0711 && st.st_uid == 0)
                return 0;
        reason_append(reason, "%s 0%o uid %u -> 0711 root", SETUP_WORKSPACES, st.st_mode & 07777, st.st_uid);
        if (setup_writes(s) && (chown(SETUP_WORKSPACES, 0, 0) < 0 || chmod(SETUP_WORKSPACES, 0711) < 0))
                return -errno;
        return 1;
}

int step_pool(Setup *s, char **ret_reason) {
        _cleanup_(freep) char *reason = NULL;
        _cleanup_(closep) int dfd = -EBADF;
        unsigned missing = 0, loose = 0, in_use = 0;
        int r;

        r = parent_check(s, &reason);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", SETUP_WORKSPACES, strerror(-r));
        dfd = open(SETUP_WORKSPACES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 && !(errno == ENOENT && !setup_writes(s)))
                return error_set(ret_reason, -errno, "%s: %s", SETUP_WORKSPACES, strerror(errno));

        for (unsigned k = 1; k <= s->slots; k++) {
                char name[32];
                struct stat st;

                snprintf(name, sizeof name, "agent-%03u", k);
                if (dfd < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (dfd >= 0 && errno != ENOENT)
                                return error_set(ret_reason, -errno, "%s/%s: %s", SETUP_WORKSPACES, name, strerror(errno));
                        missing++;
                        if (setup_writes(s) && mkdirat(dfd, name, 0700) < 0)
                                return error_set(ret_reason, -errno, "%s/%s: %s", SETUP_WORKSPACES, name, strerror(errno));
                } else if (S_ISLNK(st.st_mode))
                        in_use++;
                else if (!S_ISDIR(st.st_mode))
                        return error_set(ret_reason, -ENOTDIR, "%s/%s is not a directory", SETUP_WORKSPACES, name);
                else if (st.st_mode & 0077) {
                        /* Whoever owns it (systemd hands it over), nobody else may enter it. */
                        loose++;
                        if (setup_writes(s) && fchmodat(dfd, name, 0700, 0) < 0)
                                return error_set(ret_reason, -errno, "%s/%s: %s", SETUP_WORKSPACES, name, strerror(errno));
                }
        }

        if (missing)
                reason_append(&reason, "create %u of %u slots (0700 root)", missing, s->slots);
        if (loose)
                reason_append(&reason, "%u slots open to group/others -> 0700", loose);
        if (!reason) {
                *ret_reason = str_printf("%u slots agent-001…agent-%03u in %s (%u handed to agents)", s->slots,
                                         s->slots, SETUP_WORKSPACES, in_use);
                return 0;
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}

int step_pool_revert(Setup *s, char **ret_reason) {
        _cleanup_(closep) int dfd = -EBADF, pfd = -EBADF;
        unsigned removed = 0;

        if (!s->purge_workspaces) {
                *ret_reason = strdup("workspaces kept (--purge-workspaces removes them)");
                return 0;
        }
        dfd = open(SETUP_WORKSPACES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        pfd = open(PRIVATE_WORKSPACES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (unsigned k = 1; k <= s->slots; k++) {
                char name[32];
                int r = 0;

                snprintf(name, sizeof name, "agent-%03u", k);
                /* The data of a slot in use is in /var/lib/private; the slot is a symlink to it. */
                if (pfd >= 0 && faccessat(pfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        r = rm_rf_at(pfd, name);
                if (r >= 0 && dfd >= 0 && faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                        _cleanup_(closep) int wfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (wfd >= 0)
                                (void) project_quota_release(wfd); /* a limit we set goes with the workspace */
                        r = rm_rf_at(dfd, name);
                        removed += r >= 0;
                }
                if (r >= 0)
                        r = agent_tmp_remove(SETUP_WORKSPACES, name); /* its /tmp and /var/tmp */
                if (r < 0)
                        return error_set(ret_reason, r, "removing workspace %s: %s", name, strerror(-r));
        }
        *ret_reason = str_printf("removed %u workspaces", removed);
        return removed > 0;
}
