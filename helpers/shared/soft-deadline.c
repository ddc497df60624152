#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-name.h"
#include "agent-workspace.h"
#include "file-util.h"
#include "macro.h"
#include "soft-deadline.h"
#include "str-util.h"

char *soft_deadline_dir(const char *rundir) {
        return str_printf("%s/" SOFT_DEADLINE_SUBDIR, rundir);
}

int soft_deadline_format(const SoftDeadline *s, char *buf, size_t size) {
        int n = snprintf(buf, size, "%" PRIu64 " %" PRIu64 "\n", s->soft_usec, s->cgroup_id);

        return n < 0 || (size_t) n >= size ? -ENOBUFS : n;
}

int soft_deadline_parse(const char *text, SoftDeadline *ret) {
        const char *p;
        SoftDeadline s;

        if (str_parse_u64(text, &p, &s.soft_usec) < 0 || *p != ' ' ||
            str_parse_u64(p + 1, &p, &s.cgroup_id) < 0 || (*p != '\0' && strcmp(p, "\n") != 0))
                return -EBADMSG;
        /* No record says "none": without a soft deadline there is no file. */
        if (s.soft_usec == 0 || s.cgroup_id == 0)
                return -EBADMSG;
        *ret = s;
        return 0;
}

static char *record_path(const char *rundir, const char *name) {
        if (!agent_name_is_valid(name)) {
                errno = EINVAL;
                return NULL;
        }
        char *p = str_printf("%s/" SOFT_DEADLINE_SUBDIR "/%s", rundir, name);
        if (!p)
                errno = ENOMEM;
        return p;
}

int soft_deadline_write(const char *rundir, const char *name, const SoftDeadline *s) {
        _cleanup_(freep) char *dir = soft_deadline_dir(rundir), *path = record_path(rundir, name);
        char text[SOFT_DEADLINE_RECORD_MAX];
        int n;

        if (!path)
                return -errno;
        if (!dir)
                return -ENOMEM;
        n = soft_deadline_format(s, text, sizeof(text));
        if (n < 0)
                return n;
        /* 0700: which agents run since when is root's business (tmpfiles.d
         * makes it at boot; this covers a directory someone removed). */
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        return write_file_replace(path, text, (size_t) n, 0600);
}

int soft_deadline_remove(const char *rundir, const char *name) {
        _cleanup_(freep) char *path = record_path(rundir, name);

        if (!path)
                return -errno;
        return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

int soft_deadline_read_at(int dir_fd, const char *name, SoftDeadline *ret, uint64_t *ret_written_usec) {
        _cleanup_(closep) int fd = -EBADF;
        char buf[SOFT_DEADLINE_RECORD_MAX];
        struct stat st;
        SoftDeadline s;

        if (!agent_name_is_valid(name))
                return -EINVAL;
        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        if (soft_deadline_parse(buf, &s) < 0)
                return -EBADMSG;
        *ret = s;
        if (ret_written_usec)
                *ret_written_usec = (uint64_t) st.st_mtim.tv_sec * 1000000 + (uint64_t) st.st_mtim.tv_nsec / 1000;
        return 0;
}

int soft_deadline_mark_started(const char *runtime_dir) {
        _cleanup_(freep) char *path = str_printf("%s/" SOFT_DEADLINE_STARTED, runtime_dir);
        _cleanup_(closep) int fd = -EBADF;

        if (!path)
                return -ENOMEM;
        /* O_TRUNC: a file left by anything else gets this moment's mtime too. */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        return fd < 0 ? -errno : 0;
}

int soft_deadline_started_read(const char *rundir, const char *name, uint64_t *ret_realtime_usec) {
        _cleanup_(freep) char *path = str_printf("%s/" AGENT_RUNTIME_SUBDIR "/%s/" SOFT_DEADLINE_STARTED, rundir, name);
        struct stat st;

        if (!path)
                return -ENOMEM;
        if (!agent_name_is_valid(name))
                return -EINVAL;
        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        *ret_realtime_usec = (uint64_t) st.st_mtim.tv_sec * 1000000 + (uint64_t) st.st_mtim.tv_nsec / 1000;
        return 0;
}
