#include <errno.h>
#include <string.h>

#include "disk-fill.h"
#include "macro.h"
#include "str-util.h"

int disk_fill_from_statvfs(const struct statvfs *st, DiskFill *ret) {
        uint64_t frsize = st->f_frsize ? st->f_frsize : st->f_bsize;

        if (st->f_blocks == 0 || frsize == 0 || st->f_bfree > st->f_blocks || st->f_bavail > st->f_bfree ||
            st->f_ffree > st->f_files)
                return -EINVAL;
        /* Blocks reserved for root count neither as used nor as available,
         * as in df: 100 % is where an unprivileged writer gets ENOSPC. */
        uint64_t used = st->f_blocks - st->f_bfree, avail = st->f_bavail;
        *ret = (DiskFill) {
                .size_bytes = (used + avail) * frsize,
                .used_bytes = used * frsize,
                .blocks_percent = used + avail > 0 ? 100.0 * (double) used / (double) (used + avail) : 100.0,
                .inodes_percent = st->f_files > 0 ? 100.0 * (double) (st->f_files - st->f_ffree) / (double) st->f_files : 0,
        };
        return 0;
}

double disk_fill_percent(const DiskFill *f, const char **ret_what) {
        bool inodes = f->inodes_percent > f->blocks_percent;

        if (ret_what)
                *ret_what = inodes ? "inodes" : "blocks";
        return inodes ? f->inodes_percent : f->blocks_percent;
}

int disk_fill_read(const char *root, const char *path, DiskFill *ret) {
        _cleanup_(freep) char *full = NULL;
        struct statvfs st;

        if (path[0] != '/')
                return -EINVAL;
        full = root && *root && strcmp(root, "/") != 0 ? str_printf("%s%s", root, path) : strdup(path);
        if (!full)
                return -ENOMEM;
        /* A path not created yet (no agent has run) will be created on the
         * filesystem of its nearest existing ancestor. */
        size_t base = strlen(full) - strlen(path); /* where path's leading '/' is */
        while (statvfs(full, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                char *slash = strrchr(full, '/');
                if (slash != full + base)
                        *slash = '\0';
                else if (slash[1] != '\0')
                        slash[1] = '\0';
                else
                        return -ENOENT;
        }
        return disk_fill_from_statvfs(&st, ret);
}
