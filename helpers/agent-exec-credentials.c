/* nova-agent-exec: the agent's credentials (credential.h), decrypted at
 * --prepare into its runtime directory, owned by its UID.
 *
 * Why not LoadCredentialEncrypted=: systemd gives every unit with credentials
 * its own mount (/run/credentials/UNIT) in the host's mount table, and PID 1
 * re-reads that whole table on every mount change; at thousands of agents
 * each start and stop then costs PID 1 time in proportion to the fleet. The
 * runtime directory is already there (tmpfs, removed at stop): no mount. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-exec.h"
#include "credential.h"
#include "str-util.h"

/* Decrypts into a hidden file first: the agent never sees half a secret. */
static int decrypt_one(int dfd, const Credential *c, uid_t uid) {
        _cleanup_(freep) char *tmp = str_printf(".%s", c->id);
        int r;

        if (!tmp)
                return log_oom();
        (void) unlinkat(dfd, tmp, 0);
        _cleanup_(closep) int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
        if (fd < 0) {
                log_error("credential %s: %s", c->id, strerror(errno));
                return -EIO;
        }
        r = fchown(fd, uid, (gid_t) uid) < 0 ? -errno : 0;
        if (r >= 0)
                r = credential_crypt("decrypt", c->id, c->path, -EBADF, fd);
        if (r >= 0 && renameat(dfd, tmp, dfd, c->id) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dfd, tmp, 0);
                log_error("credential %s: cannot decrypt %s (%s)", c->id, c->path,
                          r == -EIO ? SYSTEMD_CREDS_PATH " failed, see above" : strerror(-r));
                return -EBADMSG;
        }
        return 0;
}

int credentials_prepare(const char *name, const char *dir, uid_t uid) {
        _cleanup_(freep) char *error = NULL, *path = str_printf("%s/" CREDENTIALS_SUBDIR, dir);
        Credential *c = NULL;
        size_t n = 0;
        int r;

        if (!path)
                return log_oom();
        r = credential_list(dir_from_env("NOVA_AGENTS_CONFDIR", SYSCONFDIR "/nova-agents"),
                            dir_from_env("NOVA_AGENTS_RUNDIR", RUNDIR "/nova-agents"), name, &c, &n, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return -EBADMSG;
        }
        if (n == 0)
                return 0;
        /* The agent's own, inside its root-owned runtime directory (0711):
         * before each Exec*= command systemd chowns a RuntimeDirectory= tree
         * to the unit's user (root) only when its top is not already that
         * user's, so what is below stays the agent's. */
        _cleanup_(closep) int dfd = -EBADF;
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                r = -errno;
        else if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                r = -errno;
        else if (fchown(dfd, uid, (gid_t) uid) < 0)
                r = -errno;
        if (r < 0)
                log_error("%s: %s", path, strerror(-r));
        for (size_t i = 0; i < n && r >= 0; i++)
                r = decrypt_one(dfd, &c[i], uid);
        credentials_free(c, n);
        return r < 0 ? -EBADMSG : 0;
}
