/* The filesystem fill from statvfs(3) fixtures (df's arithmetic, reserved
 * blocks, inodes, bad results), and the reader on a real directory: a path
 * not created yet is measured on its nearest existing ancestor. */

#include <string.h>
#include <sys/stat.h>

#include "disk-fill.h"
#include "test-util.h"

static struct statvfs vfs(unsigned long frsize, fsblkcnt_t blocks, fsblkcnt_t bfree, fsblkcnt_t bavail,
                          fsfilcnt_t files, fsfilcnt_t ffree) {
        return (struct statvfs) { .f_bsize = 4096, .f_frsize = frsize, .f_blocks = blocks, .f_bfree = bfree,
                                  .f_bavail = bavail, .f_files = files, .f_ffree = ffree };
}

int main(void) {
        DiskFill f;
        const char *what;
        struct statvfs st;

        /* 1000 blocks, 50 reserved for root: 850 used of 950 usable = 89.47 %. */
        st = vfs(4096, 1000, 150, 100, 1000, 900);
        is_int(disk_fill_from_statvfs(&st, &f), 0, "ext4-like with reserved blocks");
        ok(f.blocks_percent > 89.47 && f.blocks_percent < 89.48, "blocks: used / (used + available), as df");
        ok(f.inodes_percent > 9.99 && f.inodes_percent < 10.01, "inodes 10 %%");
        is_int((long long) f.size_bytes, 950 * 4096LL, "size: what users can hold");
        is_int((long long) f.used_bytes, 850 * 4096LL, "used bytes");
        ok(disk_fill_percent(&f, &what) == f.blocks_percent && strcmp(what, "blocks") == 0, "the fuller: blocks");

        st = vfs(1024, 1000, 900, 900, 100, 14);
        is_int(disk_fill_from_statvfs(&st, &f), 0, "many empty files");
        ok(disk_fill_percent(&f, &what) == 86 && strcmp(what, "inodes") == 0, "the fuller: inodes at 86 %%");

        st = vfs(0, 1000, 0, 0, 0, 0);
        is_int(disk_fill_from_statvfs(&st, &f), 0, "no f_frsize (falls back to f_bsize), no inode count (btrfs)");
        ok(f.blocks_percent == 100 && f.inodes_percent == 0, "full; inodes unknown are 0 %%");

        st = vfs(4096, 0, 0, 0, 10, 10);
        is_int(disk_fill_from_statvfs(&st, &f), -EINVAL, "no blocks: -EINVAL");
        st = vfs(4096, 10, 11, 0, 10, 10);
        is_int(disk_fill_from_statvfs(&st, &f), -EINVAL, "more free than blocks: -EINVAL");
        st = vfs(4096, 10, 5, 6, 10, 10);
        is_int(disk_fill_from_statvfs(&st, &f), -EINVAL, "more available than free: -EINVAL");
        st = vfs(4096, 10, 5, 5, 10, 11);
        is_int(disk_fill_from_statvfs(&st, &f), -EINVAL, "more free inodes than inodes: -EINVAL");

        _cleanup_(freep) char *root = test_mkdtemp();
        _cleanup_(freep) char *sub = str_printf("%s/var", root);
        ok(sub && mkdir(sub, 0755) == 0, "fixture root with /var");
        DiskFill a, b;
        is_int(disk_fill_read(root, "/var/lib/nova-agents/workspaces", &a), 0, "a path not there yet: its ancestor");
        is_int(disk_fill_read(NULL, sub, &b), 0, "root NULL: the path itself");
        ok(a.size_bytes > 0 && a.size_bytes == b.size_bytes, "the same filesystem");
        is_int(disk_fill_read(root, "relative", &a), -EINVAL, "a relative path: -EINVAL");
        is_int(disk_fill_read("/nonexistent-nova-root", "/x", &a), -ENOENT, "a missing root: -ENOENT");
        test_rm_rf(root);
        return done_testing();
}
