/* nova-agent-exec: the agent's credentials (credential.h), decrypted at
 * --prepare into its runtime directory and handed to its UID at the start.
 *
 * Why not LoadCredentialEncrypted=: systemd gives every unit with credentials
 * its own mount (/run/credentials/UNIT) in the host's mount table, and PID 1
 * re-reads that whole table on every mount change; at thousands of agents
 * each start and stop then costs PID 1 time in proportion to the fleet. The
 * runtime directory is already there (tmpfs, removed at stop): no mount. */

#include <dirent.h>
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
static int decrypt_one(int dfd, const Credential *c) {
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

int credentials_prepare(const char *name, const char *dir) {
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
        /* Root's until the launcher hands it over (systemd gives the whole
         * runtime directory back to root before ExecStart= anyway). */
        _cleanup_(closep) int dfd = -EBADF;
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                r = -errno;
        else if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                r = -errno;
        if (r < 0)
                log_error("%s: %s", path, strerror(-r));
        for (size_t i = 0; i < n && r >= 0; i++)
                r = decrypt_one(dfd, &c[i]);
        credentials_free(c, n);
        return r < 0 ? -EBADMSG : 0;
}

static int hand_over(int dfd, const char *file, const char *shown, uid_t uid) {
        if (fchownat(dfd, file, uid, (gid_t) uid, AT_SYMLINK_NOFOLLOW) < 0) {
                log_error("%s: cannot hand it to UID %u: %s", shown, (unsigned) uid, strerror(errno));
                return -IDENTITY_ERRNO;
        }
        return 0;
}

int directory_hand_over(const char *dir, uid_t uid) {
        return hand_over(AT_FDCWD, dir, dir, uid);
}

/* systemd chowns the whole RuntimeDirectory= to the unit's user (root) before
 * each Exec*= command, so what --prepare handed over is root's again here:
 * the launcher (CAP_CHOWN, then dropped with all others) gives the directory
 * and the credentials back to the agent. No link is followed: every name in
 * there is one root wrote before the agent ran. */
int credentials_hand_over(const char *dir, uid_t uid) {
        _cleanup_(freep) char *path = str_printf("%s/" CREDENTIALS_SUBDIR, dir);
        DIR *d;
        int r = 0;

        if (!path)
                return log_oom();
        /* Inside out: once dir is the agent's (0700), root without
         * CAP_DAC_OVERRIDE can no longer reach what is below it. */
        d = opendir(path);
        if (!d && errno != ENOENT) {
                log_error("%s: %s", path, strerror(errno));
                return -IDENTITY_ERRNO;
        }
        if (d) {
                for (struct dirent *e; r >= 0 && (e = readdir(d));)
                        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                                r = hand_over(dirfd(d), e->d_name, path, uid);
                closedir(d);
                if (r >= 0)
                        r = hand_over(AT_FDCWD, path, path, uid);
        }
        if (r >= 0)
                r = hand_over(AT_FDCWD, dir, dir, uid);
        return r;
}
