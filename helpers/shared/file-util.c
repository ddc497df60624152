#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-util.h"
#include "macro.h"
#include "str-util.h"

int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_size) {
        return read_file_full_at(AT_FDCWD, path, max_size, ret, ret_size);
}

int read_file_full_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, alloc = 0;

        if (fd < 0)
                return -errno;

        for (;;) {
                if (alloc - size < 4096) {
                        if (alloc >= max_size + 1)
                                return -EFBIG;
                        size_t n = alloc ? alloc * 2 : 8192;
                        char *b = realloc(buf, n + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        alloc = n;
                }
                ssize_t k = read(fd, buf + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, buf, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += k;
                n -= (size_t) k;
        }
        return 0;
}

static void unlink_and_freep(char **p) {
        if (*p) {
                (void) unlink(*p);
                free(*p);
        }
}

static int write_file_rename(const char *path, const void *data, size_t size, mode_t mode, bool sync) {
        _cleanup_(freep) char *copy1 = strdup(path), *copy2 = strdup(path), *template = NULL;
        _cleanup_(unlink_and_freep) char *tmp = NULL;
        _cleanup_(closep) int dfd = -EBADF, fd = -EBADF;
        int r;

        if (!copy1 || !copy2)
                return -ENOMEM;
        const char *dir = dirname(copy1), *base = basename(copy2);

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        /* Hidden, with a random suffix: never mistaken for the real file by a
         * reader that globs the directory (*.conf, fstab). */
        template = str_printf("%s/.%s.XXXXXX", dir, base);
        if (!template)
                return -ENOMEM;
        fd = mkostemp(template, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        tmp = TAKE_PTR(template);

        r = fchmod(fd, mode) < 0 ? -errno : 0;
        if (r == 0)
                r = write_all(fd, data, size);
        if (r == 0 && sync)
                r = fsync(fd) < 0 ? -errno : 0;
        if (r < 0)
                return r;
        /* close() can report a late write error (NFS): checked, not ignored. */
        if (close(TAKE_FD(fd)) < 0)
                return -errno;

        if (rename(tmp, path) < 0)
                return -errno;
        free(TAKE_PTR(tmp));

        /* Without this a crash can bring the old file back after we reported success. */
        return sync && fsync(dfd) < 0 ? -errno : 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_rename(path, data, size, mode, true);
}

int write_file_replace(const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_rename(path, data, size, mode, false);
}

int dir_for_each(int dfd, int (*fn)(int dfd, const char *name, void *userdata), void *userdata) {
        _cleanup_(closedirp) DIR *d = NULL;
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3), r;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                r = fn(dirfd(d), de->d_name, userdata);
                if (r < 0)
                        return r;
        }
        return errno > 0 ? -errno : 0;
}

int rm_rf_at(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOTDIR || errno == ELOOP ? (unlinkat(dfd, name, 0) < 0 ? -errno : 0) : -errno;

        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        r = rm_rf_at(dirfd(d), de->d_name);
        closedir(d);
        if (r < 0)
                return r;
        return unlinkat(dfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}
