#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/statfs.h>

#include "cgroup-util.h"
#include "file-util.h"
#include "str-util.h"

/* cgroup.events and friends are a few hundred bytes. */
#define CGROUP_FILE_MAX (64 * 1024)

/* The path of the "0::" line, or -ENOMEDIUM when there is none. */
static int find_unified_line(FILE *f, char **ret) {
        _cleanup_(freep) char *line = NULL;
        size_t size = 0;
        ssize_t n;

        /* Hybrid hosts list the v1 controllers ("12:memory:/…") before and
         * after the v2 line, so every line is looked at. */
        while ((n = getline(&line, &size, f)) >= 0) {
                if (n > 0 && line[n - 1] == '\n')
                        line[--n] = '\0';
                if (!str_has_prefix(line, "0::"))
                        continue;

                const char *path = line + 3;
                if (path[0] != '/')
                        return -EBADMSG;

                /* Linux appends this when the cgroup was removed while the
                 * process lingered in it (a zombie not yet reaped). */
                static const char deleted[] = " (deleted)";
                size_t len = strlen(path);
                if (len >= sizeof(deleted) - 1 && strcmp(path + len - (sizeof(deleted) - 1), deleted) == 0)
                        return -EIDRM;

                char *p = strdup(path);
                if (!p)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }

        if (ferror(f))
                return -EIO;
        return -ENOMEDIUM;
}

int cgroup_self_path(const char *proc_root, pid_t pid, char **ret) {
        _cleanup_(freep) char *fn = NULL;
        _cleanup_(fclosep) FILE *f = NULL;

        if (pid < 0)
                return -EINVAL;
        if (!proc_root)
                proc_root = "/proc";

        if (pid == 0)
                fn = str_printf("%s/self/cgroup", proc_root);
        else
                fn = str_printf("%s/%ld/cgroup", proc_root, (long) pid);
        if (!fn)
                return -ENOMEM;

        f = fopen(fn, "re");
        if (!f)
                return -errno;

        return find_unified_line(f, ret);
}

static int is_cgroup2(const char *path) {
        struct statfs sfs;

        if (statfs(path, &sfs) < 0)
                return -errno;
        return sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_unified_mountpoint(const char **ret) {
        /* systemd mounts the v2 hierarchy at /sys/fs/cgroup when it is the only
         * one, and at /sys/fs/cgroup/unified beside the v1 controllers (the
         * "hybrid" layout of older distributions). */
        static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (is_cgroup2(candidates[i]) > 0) {
                        *ret = candidates[i];
                        return 0;
                }
        return -ENOMEDIUM;
}

int cgroup_self_dir(char **ret) {
        _cleanup_(freep) char *path = NULL;
        const char *mountpoint = NULL;
        int r;

        r = cgroup_self_path(NULL, 0, &path);
        if (r >= 0)
                r = cgroup_unified_mountpoint(&mountpoint);
        if (r < 0)
                return r;
        char *dir = str_printf("%s%s", mountpoint, strcmp(path, "/") == 0 ? "" : path);
        if (!dir)
                return -ENOMEM;
        *ret = dir;
        return 0;
}

/* Field number field (proc(5)'s numbering: 4 is the parent pid, 22 the
 * start time) of <proc_root>/PID/stat: "PID (COMM) STATE PPID …", where
 * COMM may itself hold spaces and parentheses. */
static int read_stat_field(const char *proc_root, pid_t pid, unsigned field, uint64_t *ret) {
        _cleanup_(freep) char *fn = str_printf("%s/%d/stat", proc_root ? proc_root : "/proc", (int) pid);
        char buf[1024];
        uint64_t v = 0;

        if (!fn)
                return -ENOMEM;
        _cleanup_(fclosep) FILE *f = fopen(fn, "re");
        if (!f)
                return -errno;
        if (!fgets(buf, sizeof(buf), f))
                return -EBADMSG;
        /* The field after ')' is the third (STATE). */
        const char *p = strrchr(buf, ')');
        if (!p || field < 3)
                return -EBADMSG;
        p++;
        for (unsigned i = 3; i <= field; i++) {
                p += strspn(p, " ");
                if (*p == '\0' || *p == '\n')
                        return -EBADMSG;
                if (i == field && (str_parse_u64(p, NULL, &v) < 0 || !strchr(" \n", p[strspn(p, "0123456789")])))
                        return -EBADMSG;
                p += strcspn(p, " ");
        }
        *ret = v;
        return 0;
}

int cgroup_procs(const char *cgroup_dir, pid_t **ret, size_t *ret_n) {
        _cleanup_(freep) char *fn = str_printf("%s/cgroup.procs", cgroup_dir);
        _cleanup_(freep) pid_t *pids = NULL;
        size_t n = 0, alloc = 0;
        int pid;

        if (!fn)
                return -ENOMEM;
        _cleanup_(fclosep) FILE *f = fopen(fn, "re");
        if (!f)
                return -errno;
        while (fscanf(f, "%d", &pid) == 1) {
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        pid_t *t = realloc(pids, alloc * sizeof(pid_t));
                        if (!t)
                                return -ENOMEM;
                        pids = t;
                }
                pids[n++] = pid;
        }
        if (!feof(f))
                return -EBADMSG;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static bool pid_listed(const pid_t *pids, size_t n, pid_t pid) {
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

int cgroup_top_level_pids(const char *proc_root, const char *cgroup_dir, pid_t **ret, size_t *ret_n) {
        _cleanup_(freep) pid_t *pids = NULL, *top = NULL;
        size_t n = 0, k = 0;

        int r = cgroup_procs(cgroup_dir, &pids, &n);
        if (r < 0)
                return r;
        /* Kept apart from pids: every listed pid must stay searchable as a
         * parent until the end. */
        if (n > 0 && !(top = malloc(n * sizeof(pid_t))))
                return -ENOMEM;
        /* Quadratic, but an agent holds at most TasksMax=512 tasks. */
        for (size_t i = 0; i < n; i++) {
                uint64_t ppid;
                if (read_stat_field(proc_root, pids[i], 4, &ppid) < 0)
                        continue; /* exited meanwhile, or not ours to read */
                if (!pid_listed(pids, n, (pid_t) ppid))
                        top[k++] = pids[i];
        }
        *ret = k > 0 ? TAKE_PTR(top) : NULL;
        *ret_n = k;
        return 0;
}

int proc_start_ticks(const char *proc_root, pid_t pid, uint64_t *ret) {
        return read_stat_field(proc_root, pid, 22, ret);
}

int cgroup_first_started(const char *proc_root, const char *cgroup_dir, pid_t *ret_pid, uint64_t *ret_ticks) {
        _cleanup_(freep) pid_t *pids = NULL;
        uint64_t first = UINT64_MAX, ticks;
        pid_t pid = 0;
        size_t n = 0;

        int r = cgroup_procs(cgroup_dir, &pids, &n);
        if (r < 0)
                return r;
        /* Ties (the same tick) go to the lower pid: the kernel hands pids out
         * upwards, and a pid wrap-around within one tick is not a case. */
        for (size_t i = 0; i < n; i++)
                if (proc_start_ticks(proc_root, pids[i], &ticks) >= 0 &&
                    (ticks < first || (ticks == first && pids[i] < pid))) {
                        first = ticks;
                        pid = pids[i];
                }
        if (pid == 0)
                return -ESRCH;
        *ret_pid = pid;
        *ret_ticks = first;
        return 0;
}

/* Whether pid is a process of unit: its cgroup path ends in "/UNIT". */
static bool pid_in_unit(const char *proc_root, pid_t pid, const char *unit) {
        _cleanup_(freep) char *path = NULL;

        if (pid <= 0 || cgroup_self_path(proc_root, pid, &path) < 0)
                return false;
        size_t n = strlen(path), u = strlen(unit);
        return n > u && path[n - u - 1] == '/' && strcmp(path + n - u, unit) == 0;
}

int cgroup_signal_pid(const char *proc_root, pid_t pid, const char *unit, int sig) {
        _cleanup_(closep) int fd = pidfd_open(pid, 0);

        if (fd < 0)
                return -errno;
        /* After pidfd_open(): the pidfd holds the process cgroup.procs
         * listed, not a later one that got its PID, if it is still there. */
        if (!pid_in_unit(proc_root, pid, unit))
                return -ESRCH;
        return pidfd_send_signal(fd, sig, NULL, 0) < 0 ? -errno : 0;
}

int cgroup_value_parse(const char *text, uint64_t *ret) {
        const char *end;
        uint64_t v;

        if (strcmp(text, "max\n") == 0 || strcmp(text, "max") == 0) {
                *ret = AGENT_CGROUP_MAX;
                return 0;
        }
        if (str_parse_u64(text, &end, &v) < 0 || (*end != '\0' && strcmp(end, "\n") != 0))
                return -EBADMSG;
        /* The two sentinels are beyond any real byte count or task count. */
        if (v >= AGENT_CGROUP_MAX)
                return -ERANGE;
        *ret = v;
        return 0;
}

int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret) {
        size_t n = strlen(key);

        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                if (strncmp(l, key, n) != 0 || l[n] != ' ')
                        continue;
                const char *end;
                uint64_t v;
                if (str_parse_u64(l + n + 1, &end, &v) < 0 || (*end != '\n' && *end != '\0'))
                        return -EBADMSG;
                *ret = v;
                return 0;
        }
        return -ENOENT;
}

int cgroup_read_u64_at(int dirfd, const char *file, uint64_t *ret) {
        char buf[64];
        _cleanup_(closep) int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return cgroup_value_parse(buf, ret);
}

int cgroup_read_keyed_at(int dirfd, const char *file, const char *key, uint64_t *ret) {
        _cleanup_(freep) char *text = NULL;
        /* memory.events is six short lines; a page is plenty. */
        int r = read_file_full_at(dirfd, file, 4096, &text, NULL);

        return r < 0 ? r : cgroup_keyed_value(text, key, ret);
}

int cgroup_populated(const char *dir) {
        _cleanup_(freep) char *text = NULL;
        uint64_t v;
        int r;

        _cleanup_(freep) char *path = str_printf("%s/cgroup.events", dir);

        if (!path)
                return -ENOMEM;
        r = read_file_full(path, CGROUP_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        r = cgroup_keyed_value(text, "populated", &v);
        if (r < 0)
                return -EBADMSG;
        return v != 0;
}

int cgroup_kill(const char *dir) {
        _cleanup_(freep) char *path = str_printf("%s/cgroup.kill", dir);
        _cleanup_(closep) int fd = -EBADF;

        if (!path)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write(fd, "1", 1) == 1 ? 0 : -errno;
}
