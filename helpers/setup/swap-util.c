#include <errno.h>
#include <libmount.h>
#include <string.h>

#include "macro.h"
#include "str-util.h"
#include "swap-util.h"

static void mnt_unref_tablep(struct libmnt_table **t) {
        mnt_unref_table(*t);
}

static void mnt_free_iterp(struct libmnt_iter **i) {
        mnt_free_iter(*i);
}

/* Collects the source of every entry of tb that include() accepts. */
static int table_sources(struct libmnt_table *tb, int (*include)(struct libmnt_fs *fs), char ***ret) {
        _cleanup_(mnt_free_iterp) struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        _cleanup_(strv_freep) char **l = NULL;
        struct libmnt_fs *fs;
        int r;

        if (!it)
                return -ENOMEM;
        while ((r = mnt_table_next_fs(tb, it, &fs)) == 0) {
                if (!include(fs))
                        continue;
                /* A source-less entry (a broken line libmount let through) has nothing to swapoff. */
                const char *src = mnt_fs_get_source(fs);
                char *s = strdup(src ? src : "");
                if (!s)
                        return -ENOMEM;
                r = strv_push(&l, s);
                if (r < 0) {
                        free(s);
                        return r;
                }
        }
        if (r < 0)
                return r;
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int include_all(struct libmnt_fs *fs) {
        return 1;
}

int swaps_active(const char *path, char ***ret) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = mnt_new_table();
        int r;

        if (!tb)
                return -ENOMEM;
        /* libmount returns -errno for a missing file, 0 or a positive count of
         * unparsable lines otherwise; /proc/swaps has no such lines. */
        r = mnt_table_parse_swaps(tb, path);
        if (r < 0)
                return r;
        return table_sources(tb, include_all, ret);
}

static int include_auto_swap(struct libmnt_fs *fs) {
        /* mnt_fs_get_option() is 0 when found, 1 when not. */
        return mnt_fs_is_swaparea(fs) && mnt_fs_get_option(fs, "noauto", NULL, NULL) == 1;
}

int fstab_swaps_auto(const char *path, char ***ret) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = mnt_new_table();
        int r;

        if (!tb)
                return -ENOMEM;
        r = mnt_table_parse_fstab(tb, path);
        if (r < 0)
                return r;
        return table_sources(tb, include_auto_swap, ret);
}
