#include <errno.h>

#include "policy.h"

static uint64_t percent_of(uint64_t total, double percent) {
        return (uint64_t) ((long double) total * percent / 100.0L);
}

/* Closes at >= close; reopens after value stayed <= reopen for hold_usec. */
static AdmissionChange hysteresis_step(AdmissionMachine *m, double close, double reopen, uint64_t hold_usec,
                                       double value, uint64_t now_usec) {
        if (!m->closed) {
                if (value < close)
                        return ADMISSION_UNCHANGED;
                *m = (AdmissionMachine) { .closed = true, .since_usec = now_usec };
                return ADMISSION_CLOSE;
        }
        if (value > reopen) {
                m->reopen_since_usec = 0;
                return ADMISSION_UNCHANGED;
        }
        if (m->reopen_since_usec == 0) {
                m->reopen_since_usec = now_usec;
                /* A hold of 0 would reopen at once; the config parser forbids it. */
        }
        if (now_usec - m->reopen_since_usec < hold_usec)
                return ADMISSION_UNCHANGED;
        *m = (AdmissionMachine) { .closed = false, .since_usec = now_usec };
        return ADMISSION_OPEN;
}

AdmissionChange admission_step(AdmissionMachine *m, const ReliefConfig *c, double used_percent, uint64_t now_usec) {
        return hysteresis_step(m, c->admission_close_percent, c->admission_reopen_percent, c->admission_reopen_usec,
                               used_percent, now_usec);
}

AdmissionChange disk_admission_step(AdmissionMachine *m, const ReliefConfig *c, const DiskFill *fills, size_t n,
                                    uint64_t now_usec, size_t *ret_worst) {
        size_t worst = SIZE_MAX;
        double max = -1;

        for (size_t i = 0; i < n; i++)
                if (fills[i].size_bytes > 0 && disk_fill_percent(&fills[i], NULL) > max) {
                        max = disk_fill_percent(&fills[i], NULL);
                        worst = i;
                }
        *ret_worst = worst;
        if (worst == SIZE_MAX)
                return ADMISSION_UNCHANGED; /* nothing readable: no news either way */
        return hysteresis_step(m, c->disk_close_percent, c->disk_reopen_percent, c->disk_reopen_usec, max, now_usec);
}

AdmissionChange admission_overall(bool was_closed, bool memory_closed, bool disk_closed) {
        bool closed = memory_closed || disk_closed;

        if (closed == was_closed)
                return ADMISSION_UNCHANGED;
        return closed ? ADMISSION_CLOSE : ADMISSION_OPEN;
}

int relief_decide(const ReliefConfig *c, const ReliefCandidate *candidates, size_t n, uint64_t mem_total,
                  uint64_t mem_available, uint64_t in_flight_bytes, bool forced, bool *ret_due, ReliefPlan *plan) {
        if (mem_total == 0 || mem_available > mem_total)
                return -EINVAL;
        /* What the victims already killed hold is as good as available. */
        uint64_t available = mem_available + in_flight_bytes;
        if (available > mem_total || available < mem_available)
                available = mem_total;

        *plan = (ReliefPlan) { .used_before = mem_total - available };
        *ret_due = forced || mem_total - available >= percent_of(mem_total, c->kill_percent);
        if (!*ret_due)
                return 0;
        return relief_pick_victims(candidates, n, mem_total, available, c->target_percent, plan);
}

bool relief_may_be_due(const ReliefConfig *c, uint64_t mem_total, uint64_t mem_available) {
        if (mem_total == 0 || mem_available > mem_total)
                return true; /* relief_decide() reports the bad input */
        return mem_total - mem_available >= percent_of(mem_total, c->kill_percent);
}

uint64_t leak_sample_interval_usec(const ReliefConfig *c) {
        uint64_t t = c->leak_window_usec / 10;
        return t < 1000000 ? 1000000 : t;
}

bool leak_step(LeakTrack *t, const ReliefConfig *c, uint64_t now_usec, uint64_t bytes, uint64_t tasks,
               uint64_t *ret_bytes_per_hour) {
        if (t->start_usec == 0 || tasks > t->start_tasks || bytes < t->start_bytes || now_usec < t->start_usec) {
                *t = (LeakTrack) { .start_usec = now_usec, .start_bytes = bytes, .start_tasks = tasks };
                return false;
        }
        uint64_t elapsed = now_usec - t->start_usec;
        if (elapsed < c->leak_window_usec)
                return false;
        uint64_t rate = (uint64_t) ((long double) (bytes - t->start_bytes) * 3600e6L / (long double) elapsed);
        *t = (LeakTrack) { .start_usec = now_usec, .start_bytes = bytes, .start_tasks = tasks };
        if (rate <= c->leak_bytes_per_hour)
                return false;
        *ret_bytes_per_hour = rate;
        return true;
}

uint64_t fill_observe(FillTrack *t, uint64_t now_usec, uint64_t used) {
        FillTrack prev = *t;

        *t = (FillTrack) { .usec = now_usec, .used = used };
        if (prev.usec == 0 || now_usec <= prev.usec || used <= prev.used)
                return 0;
        return (uint64_t) ((long double) (used - prev.used) * 1e6L / (long double) (now_usec - prev.usec));
}

uint64_t relief_sleep_usec(const ReliefConfig *c, uint64_t mem_total, uint64_t mem_available,
                           uint64_t observed_bytes_per_sec) {
        uint64_t used = mem_available <= mem_total ? mem_total - mem_available : mem_total;
        uint64_t kill = percent_of(mem_total, c->kill_percent);
        long double rate = (long double) c->fill_bytes_per_sec;

        /* Twice what was seen: a storm that is still gathering pace. */
        if (2.0L * (long double) observed_bytes_per_sec > rate)
                rate = 2.0L * (long double) observed_bytes_per_sec;
        if (used >= kill || rate <= 0)
                return RELIEF_MIN_SLEEP_USEC;
        long double s = (long double) (kill - used) / rate * 1e6L;
        if (s < RELIEF_MIN_SLEEP_USEC)
                return RELIEF_MIN_SLEEP_USEC;
        if (s > c->max_sleep_usec)
                return c->max_sleep_usec;
        return (uint64_t) s;
}

bool pressure_may_be_due(const ReliefConfig *c, double full_avg10, double used_percent) {
        return c->pressure_usec > 0 && full_avg10 >= c->pressure_percent && used_percent >= c->admission_close_percent;
}

bool pressure_step(PressureTrack *t, const ReliefConfig *c, uint64_t now_usec, double full_avg10,
                   double used_percent, uint64_t high_events, bool victims_in_flight) {
        if (!pressure_may_be_due(c, full_avg10, used_percent)) {
                t->since_usec = 0;
                return false;
        }
        if (t->since_usec == 0 || now_usec < t->since_usec || high_events != t->high_events || victims_in_flight)
                *t = (PressureTrack) { .since_usec = now_usec, .high_events = high_events };
        return now_usec - t->since_usec >= c->pressure_usec;
}

void episode_start(EpisodeTrack *t) {
        *t = (EpisodeTrack) { .active = true };
}

bool episode_step(EpisodeTrack *t, const ReliefConfig *c, uint64_t now_usec, double used_percent,
                  bool victims_in_flight) {
        if (!t->active)
                return false;
        if (used_percent < c->target_percent) {
                *t = (EpisodeTrack) {};
                return false;
        }
        if (victims_in_flight) {
                t->since_usec = 0;
                return false;
        }
        if (t->since_usec == 0 || now_usec < t->since_usec || used_percent <= t->low_percent - RELIEF_SETTLE_PERCENT) {
                t->since_usec = now_usec;
                t->low_percent = used_percent;
                return false;
        }
        if (now_usec - t->since_usec < RELIEF_SETTLE_USEC)
                return false;
        t->since_usec = 0;
        return true;
}
