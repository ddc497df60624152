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

#define EPISODE_LOOK_USEC (1000ULL * 1000)

/* What the slice's agents hold (its memory.current), for the messages; 0
 * while the slice has no cgroup. */
static uint64_t slice_memory(const Daemon *d) {
        _cleanup_(closep) int fd = open(d->slice_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t bytes;

        return fd >= 0 && cgroup_read_u64_at(fd, "memory.current", &bytes) >= 0 ? bytes : 0;
}

/* "high" of the slice's memory.events (agents throttled at MemoryHigh=,
 * counted for the whole subtree); 0 while the slice has none. */
static uint64_t slice_high_events(const Daemon *d) {
        _cleanup_(closep) int fd = open(d->slice_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t v;

        return fd >= 0 && cgroup_read_keyed_at(fd, "memory.events", "high", &v) >= 0 ? v : 0;
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

static void leak_warn(const Agent *a, uint64_t rate) {
        sd_journal_send("MESSAGE=%s grows %.0f MB/h with no new tasks (now %llu MiB): a leak?", a->name,
                        (double) rate / 1e6, (unsigned long long) (a->bytes >> 20), "MESSAGE_ID=" MSGID_LEAK,
                        "PRIORITY=%i", LOG_WARNING, "NOVA_UNIT=%s", a->name, "NOVA_BYTES_PER_HOUR=%llu",
                        (unsigned long long) rate, NULL);
}

/* One step of every agent's leak watch; slice_sample() has already
 * carried each survivor's window over and started new ones. */
static void leak_tick(Daemon *d, uint64_t now) {
        for (size_t i = 0; i < d->n_agents; i++) {
                Agent *a = &d->agents[i];
                uint64_t rate;
                if (leak_step(&a->leak, &d->config, now, a->bytes, a->tasks, &rate))
                        leak_warn(a, rate);
        }
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

/* Said once per episode, when relief is due by pressure alone. */
static void pressure_relief(Daemon *d, double used, double full_avg10) {
        if (d->pressure_logged)
                return;
        d->pressure_logged = true;
        d->pressure_reliefs_total++;
        log_warning("memory pressure: every task stalled %.0f%% of the last 10 s (ReliefPressurePercent=%.0f for "
                    "%llu s) at %.1f%% used, below ReliefKillPercent=%.0f: relief",
                    full_avg10, d->config.pressure_percent,
                    (unsigned long long) (d->config.pressure_usec / 1000000), used, d->config.kill_percent);
}

/* A round of an episode found that the agents left cannot bring used below
 * target: the rest is not theirs, and the episode ends. */
static void episode_end_short(Daemon *d, double used) {
        d->episode = (EpisodeTrack) {};
        log_notice("relief stops at %.1f%% used: the agents left hold too little to bring it below %.0f%%",
                   used, d->config.target_percent);
}

/* threshold: used >= kill% (relief_may_be_due()), as the look found it. */
static int relief_tick(Daemon *d, size_t n, double used, uint64_t slice_bytes, bool pressure, bool episode,
                       bool threshold) {
        const Agent *s = d->agents;
        _cleanup_(freep) ReliefCandidate *c = calloc(n ? n : 1, sizeof(ReliefCandidate));
        _cleanup_(relief_plan_done) ReliefPlan plan = {};
        size_t m = 0;
        bool due;
        int r;

        if (!c)
                return -ENOMEM;
        victims_flag_agents(d);
        for (size_t i = 0; i < n; i++)
                if (!s[i].in_flight)
                        c[m++] = (ReliefCandidate) { .name = s[i].name, .memory_current = s[i].bytes, .memory_known = true };
        /* pressure is never true with victims in flight (pressure_step()). */
        r = relief_decide(&d->config, c, m, d->host.total, d->host.available, victims_in_flight_bytes(d),
                          pressure || episode, &due, &plan);
        if (r < 0)
                return r;
        if (!due) {
                d->outside_logged = false;
                return 0;
        }
        if ((!plan.reached || plan.n_victims == 0) && episode && !pressure && !threshold) {
                episode_end_short(d, used);
                return 0;
        }
        if (!plan.reached || plan.n_victims == 0) {
                outside_pressure(d, used, slice_bytes);
                return 0;
        }
        if (pressure && used < d->config.kill_percent)
                pressure_relief(d, used, d->full_avg10);
        else if (episode && !threshold)
                log_notice("relief goes on: host memory used %.1f%%, settled %llu s after the last victim, is not "
                           "below %.0f%% yet", used, (unsigned long long) (RELIEF_SETTLE_USEC / 1000000),
                           d->config.target_percent);
        return victims_kill(d, &plan, c);
}

/* Every agent's cgroup is read only when relief may be due or the leak
 * watch wants a sample: a quiet look is meminfo, the slice's
 * memory.current and a statvfs(), whatever the number of agents. */
int monitor_tick(Daemon *d, uint64_t *ret_sleep_usec) {
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
        double used = host_memory_used_percent(&d->host);
        /* No PSI (a kernel without it): no relief under pressure either. */
        if (host_memory_pressure_read(d->proc_root, &d->full_avg10) < 0)
                d->full_avg10 = 0;
        /* The slice's memory.events only when it can matter. */
        uint64_t high = pressure_may_be_due(&d->config, d->full_avg10, used) ? slice_high_events(d) : 0;
        bool pressure = pressure_step(&d->pressure, &d->config, now, d->full_avg10, used, high, d->n_victims > 0);
        if (!pressure)
                d->pressure_logged = false;
        bool was_episode = d->episode.active;
        bool episode = episode_step(&d->episode, &d->config, now, used, d->n_victims > 0);
        if (was_episode && !d->episode.active)
                log_notice("relief over: host memory used %.1f%% < %.0f%%", used, d->config.target_percent);
        bool threshold = relief_may_be_due(&d->config, d->host.total, d->host.available);
        bool due = pressure || episode || threshold;
        bool leak = d->leak_sampled_usec == 0 || now - d->leak_sampled_usec >= leak_sample_interval_usec(&d->config);
        bool sampled = false;
        if (due || leak) {
                r = slice_sample(d, &n);
                if (r < 0)
                        log_error("cannot read %s: %s", d->slice_dir, strerror(-r));
                sampled = r >= 0;
        }
        slice_bytes = slice_memory(d);

        bool closed = admission_tick(d, used, slice_bytes);
        disk_tick(d, used);
        if (due) {
                r = relief_tick(d, n, used, slice_bytes, pressure, episode, threshold);
                if (r < 0)
                        log_error("relief failed: %s", strerror(-r));
        } else
                d->outside_logged = false;
        /* After relief: the hint reads every agent's cgroup.procs and stat
         * files (seconds at 500 agents of 512 tasks), which must not delay a kill. */
        if (closed)
                hint_send(d);
        if (leak && sampled)
                leak_tick(d, now);
        (void) metrics_write(d, false);

        *ret_sleep_usec = d->n_victims > 0 ? RELIEF_MIN_SLEEP_USEC
                                           : relief_sleep_usec(&d->config, d->host.total, d->host.available, observed);
        /* An episode's settling is timed by the looks. */
        if (d->episode.active && *ret_sleep_usec > EPISODE_LOOK_USEC)
                *ret_sleep_usec = EPISODE_LOOK_USEC;
        return 0;
}
