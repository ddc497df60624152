#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file-util.h"
#include "journal-streams.h"
#include "macro.h"
#include "str-util.h"

#define JOURNAL_STREAMS_OLD 4096
#define JOURNAL_STREAMS_NEW 65536
#define JOURNAL_STREAMS_NEW_SINCE 258

unsigned journal_streams_max(unsigned systemd_version) {
        return systemd_version >= JOURNAL_STREAMS_NEW_SINCE ? JOURNAL_STREAMS_NEW : JOURNAL_STREAMS_OLD;
}

unsigned journal_streams_for_agents(unsigned max) {
        return max - max / 32;
}

/* ".../libsystemd-shared-257.so", "...-256.11-1.fc41.so": the leading number. */
static int version_in_line(const char *line, unsigned *ret) {
        const char *p = strstr(line, "/libsystemd-shared-");
        char *end;

        if (!p)
                return -ENOENT;
        p += strlen("/libsystemd-shared-");
        if (*p < '0' || *p > '9')
                return -ENOENT;
        unsigned long v = strtoul(p, &end, 10);
        if (v == 0 || v > 100000 || (*end != '.' && *end != '-'))
                return -ENOENT;
        *ret = (unsigned) v;
        return 0;
}

int systemd_version_running(const char *proc_root, unsigned *ret) {
        _cleanup_(freep) char *path = str_printf("%s/1/maps", proc_root ? proc_root : "/proc");
        _cleanup_(freep) char *line = NULL;
        size_t size = 0;
        int r = -ENOENT;

        if (!path)
                return -ENOMEM;
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        while (r < 0 && getline(&line, &size, f) > 0)
                r = version_in_line(line, ret);
        fclose(f);
        return r;
}

static int count_stream(_unused_ int dfd, const char *name, void *userdata) {
        if (name[0] != '.')
                (*(unsigned *) userdata)++;
        return 0;
}

int journal_streams_count(const char *dir, unsigned *ret) {
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        unsigned n = 0;

        if (fd < 0)
                return -errno;
        int r = dir_for_each(fd, count_stream, &n);
        if (r == 0)
                *ret = n;
        return r;
}
