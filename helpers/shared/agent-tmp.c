/* An agent's /tmp and /var/tmp on the workspace filesystem: agent-tmp.h. */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-tmp.h"
#include "file-util.h"
#include "macro.h"
#include "project-quota.h"

static const char *const tmp_dirs[] = AGENT_TMP_DIRS;

/* dfd/name as a directory of root's with mode, made when missing; never a
 * symlink (O_NOFOLLOW), and an existing one gets the owner and mode. */
static int open_root_dir(int dfd, const char *name, mode_t mode) {
        if (mkdirat(dfd, name, mode) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchown(fd, 0, 0) < 0 || fchmod(fd, mode) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* workspaces_dir/.tmp, opened (made root's 0700 when missing, if create). */
static int open_tmp_root(const char *workspaces_dir, bool create) {
        _cleanup_(closep) int wfd = open(workspaces_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (wfd < 0)
                return -errno;
        if (create)
                return open_root_dir(wfd, AGENT_TMP_SUBDIR, 0700);
        int fd = openat(wfd, AGENT_TMP_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* workspaces_dir/.tmp/name, opened (made when missing, if create). */
static int open_agent_dir(const char *workspaces_dir, const char *name, bool create) {
        _cleanup_(closep) int tfd = open_tmp_root(workspaces_dir, create);
        if (tfd < 0)
                return tfd;
        if (create)
                return open_root_dir(tfd, name, 0700);
        int fd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int agent_tmp_prepare(const char *workspaces_dir, const char *name) {
        _cleanup_(closep) int nfd = open_agent_dir(workspaces_dir, name, true);
        if (nfd < 0)
                return nfd;
        for (size_t i = 0; i < ELEMENTSOF(tmp_dirs); i++) {
                int r = rm_rf_at(nfd, tmp_dirs[i]);
                if (r < 0 && r != -ENOENT)
                        return r;
                _cleanup_(closep) int fd = open_root_dir(nfd, tmp_dirs[i], 01777);
                if (fd < 0)
                        return fd;
        }
        return 0;
}

int agent_tmp_assign_project(const char *workspaces_dir, const char *name, uint32_t id) {
        _cleanup_(closep) int nfd = open_agent_dir(workspaces_dir, name, false);
        if (nfd < 0)
                return nfd;
        for (size_t i = 0; i < ELEMENTSOF(tmp_dirs); i++) {
                _cleanup_(closep) int fd = openat(nfd, tmp_dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                unsigned long changed = 0;
                if (fd < 0)
                        return -errno;
                int r = project_quota_assign(fd, id, &changed);
                if (r < 0)
                        return r;
        }
        return 0;
}

int agent_tmp_remove(const char *workspaces_dir, const char *name) {
        _cleanup_(closep) int tfd = open_tmp_root(workspaces_dir, false);
        if (tfd < 0)
                return tfd == -ENOENT ? 0 : tfd;
        int r = rm_rf_at(tfd, name);
        return r == -ENOENT ? 0 : r;
}

int agent_tmp_verify(const char *workspaces_dir, const char *name) {
        static const char *const bound[] = { "/tmp", "/var/tmp" };
        _cleanup_(closep) int nfd = open_agent_dir(workspaces_dir, name, false);
        if (nfd < 0)
                return nfd;
        for (size_t i = 0; i < ELEMENTSOF(tmp_dirs); i++) {
                struct stat a, b;
                if (fstatat(nfd, tmp_dirs[i], &a, AT_SYMLINK_NOFOLLOW) < 0 || stat(bound[i], &b) < 0)
                        return -errno;
                if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                        return -EXDEV;
        }
        return 0;
}
