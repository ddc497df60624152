#pragma once

/* Fixture paths and scratch directories for the C unit tests. */

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "str-util.h"
#include "tap.h"

/* tests/data/<rel> in the source tree; make check exports top_srcdir. */
static inline char *test_data_path(const char *rel) {
        const char *top = getenv("top_srcdir");
        if (!top || !*top)
                bail_out("$top_srcdir is not set; run the tests through make check");

        char *p = str_printf("%s/tests/data/%s", top, rel);
        if (!p)
                bail_out("out of memory");
        return p;
}

/* A fresh directory below $TMPDIR: distcheck's source tree is read-only. */
static inline char *test_mkdtemp(void) {
        const char *tmp = getenv("TMPDIR");
        char *p = str_printf("%s/nova-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");

        if (!p || !mkdtemp(p))
                bail_out("cannot create a temporary directory");
        return p;
}

static inline int test_rm_rf(const char *path) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 ? -errno : 0;

        DIR *d = opendir(path);
        if (!d)
                return -errno;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_(freep) char *sub = str_printf("%s/%s", path, de->d_name);
                if (sub)
                        (void) test_rm_rf(sub);
        }
        closedir(d);
        return rmdir(path) < 0 ? -errno : 0;
}

static inline int test_write_file(const char *path, const char *data, size_t size) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return -errno;
        if (write(fd, data, size) != (ssize_t) size)
                return -EIO;
        return 0;
}

/* Entries of dir other than "." and "..", names joined by ' ' into *ret
 * (sorted, so that tests can compare); -errno on failure. */
static inline int test_list_dir(const char *dir, char **ret) {
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return -errno;

        char *list = strdup("");
        for (int i = 0; i < n; i++) {
                const char *e = names[i]->d_name;
                if (list && strcmp(e, ".") != 0 && strcmp(e, "..") != 0) {
                        char *l = str_printf("%s%s%s", list, *list ? " " : "", e);
                        free(list);
                        list = l;
                }
                free(names[i]);
        }
        free(names);
        if (!list)
                return -ENOMEM;
        *ret = list;
        return 0;
}
