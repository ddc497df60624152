#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file-util.h"
#include "macro.h"
#include "project-quota.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443 /* the same on every architecture since 5.14 */
#endif

static int quotactl_fd(int fd, int cmd, uint32_t id, void *addr) {
        return syscall(SYS_quotactl_fd, fd, cmd, id, addr) < 0 ? -errno : 0;
}

int project_quota_verdict(int qstat_errno, uint16_t flags, const char **ret_reason) {
        const char *reason = NULL;

        if (qstat_errno != 0)
                reason = "the filesystem has no quotas (ext4 needs the project and quota features, xfs pquota)";
        else if (!(flags & FS_QUOTA_PDQ_ACCT))
                reason = "project quotas are off on this filesystem (ext4: features project,quota and mount "
                         "option prjquota; xfs: mount option pquota)";
        else if (!(flags & FS_QUOTA_PDQ_ENFD))
                reason = "project quotas are counted but not enforced (mount option prjquota on ext4, pquota on xfs)";
        if (!reason)
                return 0;
        if (ret_reason)
                *ret_reason = reason;
        return -EOPNOTSUPP;
}

int project_quota_supported(int fd, const char **ret_reason) {
        struct fs_quota_stat st = { .qs_version = FS_QSTAT_VERSION };
        int r = quotactl_fd(fd, QCMD(Q_XGETQSTAT, PRJQUOTA), 0, &st);

        if (r == -ENOMEM || r == -EPERM)
                return r;
        return project_quota_verdict(r < 0 ? -r : 0, r < 0 ? 0 : st.qs_flags, ret_reason);
}

int project_quota_id(int dirfd, uint32_t *ret) {
        struct stat st;

        if (fstat(dirfd, &st) < 0)
                return -errno;
        if (st.st_ino == 0 || st.st_ino >= UINT32_MAX)
                return -EOVERFLOW;
        *ret = (uint32_t) st.st_ino;
        return 0;
}

/* One inode (a directory or a regular file, open): -EOPNOTSUPP where the
 * filesystem has no project IDs. */
static int assign_inode(int fd, bool dir, uint32_t id, unsigned long *changed) {
        struct fsxattr fsx;

        if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
                return errno == ENOTTY ? -EOPNOTSUPP : -errno;
        if (fsx.fsx_projid == id && (!dir || (fsx.fsx_xflags & FS_XFLAG_PROJINHERIT)))
                return 0;
        fsx.fsx_projid = id;
        if (dir)
                fsx.fsx_xflags |= FS_XFLAG_PROJINHERIT;
        if (ioctl(fd, FS_IOC_FSSETXATTR, &fsx) < 0)
                return errno == ENOTTY ? -EOPNOTSUPP : -errno;
        (*changed)++;
        return 0;
}

typedef struct AssignWalk {
        dev_t dev;
        uint32_t id;
        unsigned long *changed;
} AssignWalk;

static int assign_tree(int dfd, const AssignWalk *w);

static int assign_child(int dfd, const char *name, void *userdata) {
        const AssignWalk *w = userdata;
        struct stat st;

        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
        if (st.st_dev != w->dev || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
                return 0; /* a mount point, a symlink, a device, a fifo or a socket */
        _cleanup_(closep) int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                                                             (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
        struct stat ost;
        if (fd < 0)
                return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? 0 : -errno;
        if (fstat(fd, &ost) < 0)
                return -errno;
        if (ost.st_dev != st.st_dev || ost.st_ino != st.st_ino)
                return 0; /* replaced between the two looks: not what we looked at */
        return S_ISDIR(ost.st_mode) ? assign_tree(fd, w) : assign_inode(fd, false, w->id, w->changed);
}

static int assign_tree(int dfd, const AssignWalk *w) {
        int r = assign_inode(dfd, true, w->id, w->changed);

        return r < 0 ? r : dir_for_each(dfd, assign_child, (void *) w);
}

int project_quota_assign(int dirfd, uint32_t id, unsigned long *ret_changed) {
        struct fsxattr fsx;
        struct stat st;

        *ret_changed = 0;
        if (fstat(dirfd, &st) < 0)
                return -errno;
        if (ioctl(dirfd, FS_IOC_FSGETXATTR, &fsx) < 0)
                return errno == ENOTTY ? -EOPNOTSUPP : -errno;
        if (fsx.fsx_projid == id && (fsx.fsx_xflags & FS_XFLAG_PROJINHERIT))
                return 0; /* done at an earlier start: what is below inherited it */
        return assign_tree(dirfd, &(AssignWalk) { st.st_dev, id, ret_changed });
}

uint64_t project_quota_blocks(uint64_t bytes) {
        return bytes / QIF_DQBLKSIZE + (bytes % QIF_DQBLKSIZE != 0);
}

int project_quota_set_limit(int fd, uint32_t id, uint64_t bytes) {
        struct if_dqblk dq = { .dqb_bhardlimit = project_quota_blocks(bytes), .dqb_valid = QIF_BLIMITS };

        return quotactl_fd(fd, QCMD(Q_SETQUOTA, PRJQUOTA), id, &dq);
}

int project_quota_get(int fd, uint32_t id, uint64_t *ret_used, uint64_t *ret_limit) {
        struct if_dqblk dq = {};
        int r = quotactl_fd(fd, QCMD(Q_GETQUOTA, PRJQUOTA), id, &dq);

        if (r < 0)
                return r;
        *ret_used = dq.dqb_curspace;
        *ret_limit = dq.dqb_bhardlimit * QIF_DQBLKSIZE;
        return 0;
}

int project_quota_release(int dirfd) {
        uint32_t id;
        int r;

        if (project_quota_supported(dirfd, NULL) < 0)
                return 0;
        r = project_quota_id(dirfd, &id);
        return r < 0 ? r : project_quota_set_limit(dirfd, id, 0);
}
