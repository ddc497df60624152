/* The slice's units, sampled: each one's memory.current and pids.current,
 * read through file descriptors kept open from look to look, one pread()
 * each. A look at 5,000 agents is then one directory read and 10,000
 * preads instead of 25,000 opens, reads and closes with a path walk each
 * (bench/reliefd-look.sh). d->agents holds them, sorted by name, with each
 * one's leak window. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "macro.h"
#include "reliefd.h"

/* Descriptors left for everything else the daemon opens (the journal,
 * victims' cgroup.events, the metrics file, …) when the kept ones near
 * RLIMIT_NOFILE: past that, a unit's files are opened for one read only. */
#define SAMPLE_FD_RESERVE 256

static bool is_unit_dir(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        if (de->d_type != DT_DIR || n >= RELIEFD_NAME_MAX)
                return false;
        return (n > 8 && strcmp(de->d_name + n - 8, ".service") == 0) ||
               (n > 6 && strcmp(de->d_name + n - 6, ".scope") == 0);
}

static int agent_by_name(const void *a, const void *b) {
        return strcmp(((const Agent *) a)->name, ((const Agent *) b)->name);
}

static void agent_close(Agent *a) {
        if (a->mem_fd >= 0)
                close(a->mem_fd);
        if (a->pids_fd >= 0)
                close(a->pids_fd);
        a->mem_fd = a->pids_fd = -1;
}

void agents_free(Daemon *d) {
        for (size_t i = 0; i < d->n_agents; i++)
                agent_close(&d->agents[i]);
        free(d->agents);
        d->agents = NULL;
        d->n_agents = 0;
}

/* The units now in the slice, sorted, each with nothing open yet. */
static int list_units(int slice_fd, Agent **ret, size_t *ret_n) {
        _cleanup_(freep) Agent *a = NULL;
        size_t n = 0, alloc = 0;
        int fd = fcntl(slice_fd, F_DUPFD_CLOEXEC, 3);
        DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

        if (!dir) {
                if (fd >= 0)
                        close(fd);
                return -errno;
        }
        for (struct dirent *de; (de = readdir(dir));) {
                if (!is_unit_dir(de))
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 64;
                        Agent *t = realloc(a, alloc * sizeof(Agent));
                        if (!t) {
                                closedir(dir);
                                return -ENOMEM;
                        }
                        a = t;
                }
                a[n] = (Agent) { .mem_fd = -1, .pids_fd = -1 };
                snprintf(a[n++].name, RELIEFD_NAME_MAX, "%s", de->d_name);
        }
        closedir(dir);
        qsort(a, n, sizeof(Agent), agent_by_name);
        *ret = TAKE_PTR(a);
        *ret_n = n;
        return 0;
}

/* Both lists sorted: a unit still there keeps its descriptors and leak
 * window; those of a unit gone are closed. */
static void carry_over(Daemon *d, Agent *next, size_t n) {
        size_t j = 0;

        for (size_t i = 0; i < n; i++) {
                for (; j < d->n_agents && strcmp(d->agents[j].name, next[i].name) < 0; j++)
                        agent_close(&d->agents[j]);
                if (j < d->n_agents && strcmp(d->agents[j].name, next[i].name) == 0) {
                        next[i] = d->agents[j];
                        d->agents[j].mem_fd = d->agents[j].pids_fd = -1;
                        j++;
                }
        }
        for (; j < d->n_agents; j++)
                agent_close(&d->agents[j]);
        free(d->agents);
        d->agents = next;
        d->n_agents = n;
}

static size_t fd_budget(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur <= SAMPLE_FD_RESERVE)
                return 0;
        return rl.rlim_cur - SAMPLE_FD_RESERVE;
}

/* One file of unit a through *fd, opened if need be and kept while
 * *kept < budget. -ENODEV from a kept descriptor: its cgroup was removed
 * (kernfs), perhaps made again under the same name by a new start: opened
 * anew once, and *ret_new says so. */
static int read_one(int slice_fd, const Agent *a, int *fd, const char *file, size_t *kept, size_t budget,
                    uint64_t *ret, bool *ret_new) {
        char path[RELIEFD_NAME_MAX + 32], buf[64];

        for (int attempt = 0; attempt < 2; attempt++) {
                bool keep = true;
                if (*fd < 0) {
                        snprintf(path, sizeof(path), "%s/%s", a->name, file);
                        *fd = openat(slice_fd, path, O_RDONLY | O_CLOEXEC);
                        if (*fd < 0)
                                return -errno;
                        keep = *kept < budget;
                        *kept += keep;
                }
                ssize_t k = pread(*fd, buf, sizeof(buf) - 1, 0);
                int r = k < 0 ? -errno : 0;
                if (r < 0 || !keep) {
                        close(*fd);
                        *fd = -1;
                        *kept -= keep;
                }
                if (r == -ENODEV && attempt == 0) {
                        *ret_new = true;
                        continue;
                }
                if (r < 0)
                        return r;
                buf[k] = '\0';
                return cgroup_value_parse(buf, ret);
        }
        return -ENODEV;
}

int slice_sample(Daemon *d, size_t *ret_n) {
        _cleanup_(closep) int slice_fd = open(d->slice_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        Agent *next = NULL;
        size_t n = 0, m = 0, kept = 0, budget = fd_budget();
        int r;

        if (slice_fd < 0) {
                if (errno != ENOENT)
                        return -errno;
                agents_free(d); /* a slice not yet realized has no units */
                *ret_n = 0;
                return 0;
        }
        r = list_units(slice_fd, &next, &n);
        if (r < 0)
                return r;
        carry_over(d, next, n);
        for (size_t i = 0; i < n; i++)
                kept += (d->agents[i].mem_fd >= 0) + (d->agents[i].pids_fd >= 0);
        for (size_t i = 0; i < n; i++) {
                Agent *a = &d->agents[i];
                bool renewed = false;
                if (read_one(slice_fd, a, &a->mem_fd, "memory.current", &kept, budget, &a->bytes, &renewed) < 0) {
                        kept -= (a->pids_fd >= 0);
                        agent_close(a); /* gone meanwhile: forgotten */
                        continue;
                }
                if (read_one(slice_fd, a, &a->pids_fd, "pids.current", &kept, budget, &a->tasks, &renewed) < 0)
                        a->tasks = 0;
                if (renewed)
                        a->leak = (LeakTrack) {}; /* a new instance: a new window */
                d->agents[m++] = *a;
        }
        d->n_agents = m;
        *ret_n = m;
        return 0;
}
