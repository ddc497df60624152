/* One look at the host and the slice, and what follows from it: the
 * admission step, relief, the leak watch, the metrics, how long to sleep.
 * An action of events.c: it neither watches nor arms anything. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "reliefd.h"
#include "str-util.h"

typedef struct Sample {
        char name[RELIEFD_NAME_MAX];
        uint64_t bytes, tasks;
} Sample;

static bool is_unit_dir(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        if (de->d_type != DT_DIR || n >= RELIEFD_NAME_MAX)
                return false;
        return (n > 8 && strcmp(de->d_name + n - 8, ".service") == 0) ||
               (n > 6 && strcmp(de->d_name + n - 6, ".scope") == 0);
}

/* Every unit in the slice (agents and novactl run scopes) with its
 * memory.current and pids.current. A slice not yet realized has none. */
static int sample_slice(const Daemon *d, Sample **ret, size_t *ret_n) {
        _cleanup_(freep) Sample *s = NULL;
        size_t n = 0, alloc = 0;
        DIR *dir = opendir(d->slice_dir);

        if (!dir) {
                *ret = NULL;
                *ret_n = 0;
                return errno == ENOENT ? 0 : -errno;
        }
        for (struct dirent *de; (de = readdir(dir));) {
                if (!is_unit_dir(de))
                        continue;
                int fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* gone meanwhile */
                Sample x = {};
                snprintf(x.name, sizeof(x.name), "%s", de->d_name);
                int r = cgroup_read_u64_at(fd, "memory.current", &x.bytes);
                if (r >= 0 && cgroup_read_u64_at(fd, "pids.current", &x.tasks) < 0)
                        x.tasks = 0;
                close(fd);
                if (r < 0)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 64;
                        Sample *t = realloc(s, alloc * sizeof(Sample));
                        if (!t) {
                                closedir(dir);
                                return -ENOMEM;
                        }
                        s = t;
                }
                s[n++] = x;
        }
        closedir(dir);
        *ret = TAKE_PTR(s);
        *ret_n = n;
        return 0;
}

/* What the slice's agents hold (its memory.current), for the messages; 0
 * while the slice has no cgroup. */
static uint64_t slice_memory(const Daemon *d) {
        _cleanup_(closep) int fd = open(d->slice_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t bytes;

        return fd >= 0 && cgroup_read_u64_at(fd, "memory.current", &bytes) >= 0 ? bytes : 0;
}

/* Whether admission closed in this look (the soft hint then follows relief). */
static bool admission_tick(Daemon *d, double used, uint64_t slice_bytes) {
        AdmissionChange ch = admission_step(&d->admission, &d->config, used, now_usec(CLOCK_MONOTONIC));
        char reason[160];

        if (ch == ADMISSION_UNCHANGED || (ch == ADMISSION_OPEN && disk_keeps_closed(d, used)))
                return false;
        d->transitions_total++;
        if (ch == ADMISSION_CLOSE)
                snprintf(reason, sizeof(reason), "host memory used %.1f%% >= %.0f%%", used,
                         d->config.admission_close_percent);
        else
                snprintf(reason, sizeof(reason), "host memory used %.1f%% <= %.0f%% for %llu s", used,
                         d->config.admission_reopen_percent,
                         (unsigned long long) (d->config.admission_reopen_usec / 1000000));
        (void) admission_publish(d, used, reason);
        sd_journal_send("MESSAGE=Admission %s: %s (agents hold %llu MiB)", ch == ADMISSION_CLOSE ? "closed" : "opened",
                        reason, (unsigned long long) (slice_bytes >> 20),
                        "MESSAGE_ID=%s", ch == ADMISSION_CLOSE ? MSGID_ADMISSION_CLOSED : MSGID_ADMISSION_OPENED,
                        "PRIORITY=%i", ch == ADMISSION_CLOSE ? LOG_WARNING : LOG_NOTICE,
                        "NOVA_USED_PERCENT=%.2f", used, "NOVA_SLICE_BYTES=%llu", (unsigned long long) slice_bytes,
                        NULL);
        return ch == ADMISSION_CLOSE;
}

static int sample_by_name(const void *a, const void *b) {
        return strcmp(((const Sample *) a)->name, ((const Sample *) b)->name);
}

static void leak_warn(const Sample *s, uint64_t rate) {
        sd_journal_send("MESSAGE=%s grows %.0f MB/h with no new tasks (now %llu MiB): a leak?", s->name,
                        (double) rate / 1e6, (unsigned long long) (s->bytes >> 20), "MESSAGE_ID=" MSGID_LEAK,
                        "PRIORITY=%i", LOG_WARNING, "NOVA_UNIT=%s", s->name, "NOVA_BYTES_PER_HOUR=%llu",
                        (unsigned long long) rate, NULL);
}

/* One step of every agent's leak watch. The samples (sorted here) and
 * d->agents (kept sorted) are merged in one pass: agents that are gone are
 * forgotten, new ones start their window (n log n at 5,000 agents, where a
 * search per sample was 12.5 million comparisons a look). */
static void leak_tick(Daemon *d, Sample *s, size_t n, uint64_t now) {
        Agent *next = calloc(n ? n : 1, sizeof(Agent));
        size_t j = 0;

        if (!next)
                return; /* the leak watch is best effort */
        qsort(s, n, sizeof(Sample), sample_by_name);
        for (size_t i = 0; i < n; i++) {
                while (j < d->n_agents && strcmp(d->agents[j].name, s[i].name) < 0)
                        j++;
                Agent *a = &next[i];
                if (j < d->n_agents && strcmp(d->agents[j].name, s[i].name) == 0)
                        *a = d->agents[j++];
                else
                        snprintf(a->name, sizeof(a->name), "%s", s[i].name);
                uint64_t rate;
                if (leak_step(&a->leak, &d->config, now, s[i].bytes, s[i].tasks, &rate))
                        leak_warn(&s[i], rate);
        }
        free(d->agents);
        d->agents = next;
        d->n_agents = n;
        d->leak_sampled_usec = now;
}

/* Pressure that killing every agent would not relieve comes from outside the
 * slice: say so (once per episode) and kill nothing. */
static void outside_pressure(Daemon *d, double used, uint64_t slice_bytes) {
        if (d->outside_logged)
                return;
        d->outside_logged = true;
        d->outside_total++;
        sd_journal_send("MESSAGE=Host memory used %.1f%% but agents hold only %llu MiB: the pressure comes from "
                        "outside nova-agents.slice; admission stays closed, nothing is killed",
                        used, (unsigned long long) (slice_bytes >> 20), "MESSAGE_ID=" MSGID_PRESSURE_OUTSIDE,
                        "PRIORITY=%i", LOG_CRIT, "NOVA_USED_PERCENT=%.2f", used, NULL);
}

static int relief_tick(Daemon *d, const Sample *s, size_t n, double used, uint64_t slice_bytes) {
        _cleanup_(freep) ReliefCandidate *c = calloc(n ? n : 1, sizeof(ReliefCandidate));
        _cleanup_(relief_plan_done) ReliefPlan plan = {};
        size_t m = 0;
        bool due;
        int r;

        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!victims_contains(d, s[i].name))
                        c[m++] = (ReliefCandidate) { .name = s[i].name, .memory_current = s[i].bytes, .memory_known = true };
        r = relief_decide(&d->config, c, m, d->host.total, d->host.available, victims_in_flight_bytes(d), &due, &plan);
        if (r < 0)
                return r;
        if (!due) {
                d->outside_logged = false;
                return 0;
        }
        if (!plan.reached || plan.n_victims == 0) {
                outside_pressure(d, used, slice_bytes);
                return 0;
        }
        return victims_kill(d, &plan, c);
}

/* Every agent's cgroup is read only when relief may be due or the leak
 * watch wants a sample: a quiet look is meminfo, the slice's
 * memory.current and a statvfs(), whatever the number of agents. */
int monitor_tick(Daemon *d, uint64_t *ret_sleep_usec) {
        _cleanup_(freep) Sample *s = NULL;
        size_t n = 0;
        uint64_t slice_bytes = 0;
        int r;

        r = host_memory_read(d->proc_root, &d->host);
        if (r < 0) {
                log_error("cannot read %s/meminfo: %s", d->proc_root, strerror(-r));
                return r;
        }
        /* The time of this meminfo read; host_memory_read() ensures available <= total. */
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        uint64_t observed = fill_observe(&d->fill, now, d->host.total - d->host.available);
        bool due = relief_may_be_due(&d->config, d->host.total, d->host.available);
        bool leak = d->leak_sampled_usec == 0 || now - d->leak_sampled_usec >= leak_sample_interval_usec(&d->config);
        bool sampled = false;
        if (due || leak) {
                r = sample_slice(d, &s, &n);
                if (r < 0)
                        log_error("cannot read %s: %s", d->slice_dir, strerror(-r));
                sampled = r >= 0;
        }
        slice_bytes = slice_memory(d);
        double used = host_memory_used_percent(&d->host);

        bool closed = admission_tick(d, used, slice_bytes);
        disk_tick(d, used);
        if (due) {
                r = relief_tick(d, s, n, used, slice_bytes);
                if (r < 0)
                        log_error("relief failed: %s", strerror(-r));
        } else
                d->outside_logged = false;
        /* After relief: the hint reads every agent's cgroup.procs and stat
         * files (seconds at 500 agents of 512 tasks), which must not delay a kill. */
        if (closed)
                hint_send(d);
        if (leak && sampled)
                leak_tick(d, s, n, now);
        (void) metrics_write(d, false);

        *ret_sleep_usec = d->n_victims > 0 ? RELIEF_MIN_SLEEP_USEC
                                           : relief_sleep_usec(&d->config, d->host.total, d->host.available, observed);
        return 0;
}
