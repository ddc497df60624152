#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "agent-identity.h"
#include "agent-workspace.h"
#include "file-util.h"
#include "macro.h"
#include "str-util.h"

#define UID_XATTR "trusted.nova.uid"

static bool is_agent_id(unsigned id) {
        return agent_uid_in_pool((uid_t) id) || (id >= DYNAMIC_UID_MIN && id <= DYNAMIC_UID_MAX);
}

/* fd may be an O_PATH descriptor (symlinks included): AT_EMPTY_PATH acts on it. */
static int chown_inode(int fd, const struct stat *st, uid_t uid, unsigned long *changed) {
        uid_t u = is_agent_id(st->st_uid) && st->st_uid != uid ? uid : (uid_t) -1;
        gid_t g = is_agent_id(st->st_gid) && st->st_gid != (gid_t) uid ? (gid_t) uid : (gid_t) -1;

        if (u == (uid_t) -1 && g == (gid_t) -1)
                return 0;
        if (fchownat(fd, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        (*changed)++;
        return 0;
}

typedef struct ChownWalk {
        dev_t dev;
        uid_t uid;
        unsigned long *changed;
} ChownWalk;

static int chown_child(int dfd, const char *name, void *userdata) {
        const ChownWalk *w = userdata;
        _cleanup_(closep) int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_dev != w->dev)
                return 0; /* a mount point: another filesystem is not the workspace */
        if (!S_ISDIR(st.st_mode))
                return chown_inode(fd, &st, w->uid, w->changed);

        _cleanup_(closep) int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat sst;
        if (sub < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(sub, &sst) < 0)
                return -errno;
        if (sst.st_dev != st.st_dev || sst.st_ino != st.st_ino)
                return 0; /* replaced between the two opens: not what we looked at */
        return chown_tree_agent_ids(sub, w->uid, w->changed);
}

int chown_tree_agent_ids(int dfd, uid_t uid, unsigned long *changed) {
        struct stat st;
        int r;

        if (fstat(dfd, &st) < 0)
                return -errno;
        r = chown_inode(dfd, &st, uid, changed);
        if (r < 0)
                return r;
        return dir_for_each(dfd, chown_child, &(ChownWalk) { st.st_dev, uid, changed });
}

/* The DynamicUser= layout: workspaces/NAME -> ../../private/nova-agents/
 * workspaces/NAME. Moves the directory back over the link (rename() cannot
 * replace a symlink by a directory, hence the unlink first; a crash between
 * the two leaves the private copy, which the next run moves). Not from the
 * agent's own start: there the unit's ReadWritePaths= has bind-mounted the
 * link's target onto itself, and a mount point cannot be renamed (EBUSY). */
static int migrate_one(int wfd, const char *private_dir, const char *name) {
        _cleanup_(freep) char *want = str_printf("../../private/nova-agents/workspaces/%s", name);
        _cleanup_(freep) char *priv = str_printf("%s/%s", private_dir, name);
        char target[4096];
        struct stat st;
        ssize_t n;

        if (!want || !priv)
                return -ENOMEM;
        n = readlinkat(wfd, name, target, sizeof target - 1);
        if (n < 0)
                return errno == EINVAL || errno == ENOENT ? 0 : -errno; /* not a link */
        target[n] = '\0';
        if (strcmp(target, want) != 0)
                return 0; /* an admin's own link: not ours to change */
        if (lstat(priv, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return 0;
        if (unlinkat(wfd, name, 0) < 0 || renameat(AT_FDCWD, priv, wfd, name) < 0)
                return -errno;
        return 1;
}

int agent_workspace_migrate_all(const char *workspaces_dir, const char *private_dir, unsigned *ret_moved) {
        _cleanup_(closedirp) DIR *d = opendir(workspaces_dir);
        unsigned moved = 0;
        int r;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                        continue;
                r = migrate_one(dirfd(d), private_dir, de->d_name);
                if (r < 0)
                        return r;
                moved += r;
        }
        if (errno > 0)
                return -errno;
        *ret_moved = moved;
        return 0;
}

static int previous_uid(int fd, const struct stat *st, uid_t *ret) {
        char buf[16];
        ssize_t n;

        if (st->st_uid != 0) {
                *ret = st->st_uid;
                return 0;
        }
        n = fgetxattr(fd, UID_XATTR, buf, sizeof buf - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        unsigned v;
        if (sscanf(buf, "%u", &v) != 1)
                return -EBADMSG;
        *ret = (uid_t) v;
        return 0;
}

static int open_workspace(const char *workspaces_dir, const char *name, int *ret_fd, struct stat *ret_st) {
        _cleanup_(freep) char *path = str_printf("%s/%s", workspaces_dir, name);
        int fd;

        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno; /* ELOOP: a symlink, which is never followed */
        if (fstat(fd, ret_st) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

int agent_workspace_owner(const char *workspaces_dir, const char *private_dir, const char *name, uid_t *ret) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        int r;

        r = open_workspace(workspaces_dir, name, &fd, &st);
        if (r == -ELOOP || r == -ENOENT)
                r = open_workspace(private_dir, name, &fd, &st);
        if (r < 0)
                return r;
        return previous_uid(fd, &st, ret);
}

int agent_workspace_adopt(const char *workspaces_dir, const char *name, uid_t uid,
                          unsigned long *ret_changed) {
        _cleanup_(freep) char *path = str_printf("%s/%s", workspaces_dir, name);
        _cleanup_(closep) int fd = -EBADF;
        unsigned long changed = 0;
        struct stat st;
        uid_t prev = 0;
        int r;

        if (!path)
                return -ENOMEM;
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -errno;
        r = open_workspace(workspaces_dir, name, &fd, &st);
        if (r < 0)
                return r;

        if (st.st_uid == uid && st.st_gid == (gid_t) uid) {
                *ret_changed = 0;
                return 0;
        }
        /* Locked (root's) with our UID recorded: only the top changes hands. */
        if (st.st_uid == 0 && previous_uid(fd, &st, &prev) >= 0 && prev == uid) {
                if (fchown(fd, uid, (gid_t) uid) < 0)
                        return -errno;
                changed = 1;
        } else {
                r = chown_tree_agent_ids(fd, uid, &changed);
                if (r < 0)
                        return r;
                if (st.st_uid == 0 || !is_agent_id(st.st_uid)) {
                        if (fchown(fd, uid, (gid_t) uid) < 0) /* a slot nova-setup-host made */
                                return -errno;
                        changed++;
                }
        }
        if (fchmod(fd, 0700) < 0)
                return -errno;
        (void) fremovexattr(fd, UID_XATTR);
        *ret_changed = changed;
        return 0;
}

int agent_workspace_lock(const char *workspaces_dir, const char *name) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        char buf[16];
        int r;

        r = open_workspace(workspaces_dir, name, &fd, &st);
        if (r == -ENOENT || r == -ELOOP)
                return 0; /* none, or a link that is not ours: nothing to lock */
        if (r < 0)
                return r;
        if (st.st_uid == 0)
                return 0; /* already locked, or never handed out */
        /* The attribute first: a lock without it only costs the next start a walk. */
        snprintf(buf, sizeof buf, "%u", (unsigned) st.st_uid);
        if (fsetxattr(fd, UID_XATTR, buf, strlen(buf), 0) < 0 && errno != EOPNOTSUPP)
                return -errno;
        if (fchown(fd, 0, 0) < 0 || fchmod(fd, 0700) < 0)
                return -errno;
        return 0;
}
