#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-wait-jobs.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

typedef struct Job {
        char *path; /* the job object */
        char *unit;
        int result; /* 1 while the job runs, then 0 or its errno */
} Job;

struct BusWaitJobs {
        sd_bus *bus;
        sd_bus_slot *slot;
        BusWaitJobsFlags flags;
        Job *jobs;
        size_t n, n_done;
};

/* The job results of systemd (JobResult in its D-Bus API), and what each
 * says after "job for UNIT", in the words systemctl uses. */
static const struct {
        const char *result;
        int errnum;
        const char *text;
} job_results[] = {
        { "done", 0, "done" },
        { "skipped", EALREADY, "was skipped" },
        { "canceled", ECANCELED, "was canceled" },
        { "timeout", ETIME, "timed out" },
        { "failed", EIO, "failed" },
        { "dependency", ENOLINK, "failed because a dependency failed" },
        { "invalid", ENOEXEC, "invalid" },
        { "assert", EPROTO, "assert" },
        { "unsupported", EOPNOTSUPP, "unsupported" },
        { "collected", EIDRM, "collected" },
        { "once", ESTALE, "once" },
        { "frozen", EDEADLK, "frozen" },
        { "concurrency", EUSERS, "concurrency" },
};

int bus_job_result_to_errno(const char *result) {
        for (size_t i = 0; i < ELEMENTSOF(job_results); i++)
                if (strcmp(result, job_results[i].result) == 0)
                        return -job_results[i].errnum;
        return -EBADMSG;
}

const char *bus_job_result_from_errno(int r) {
        if (r == -ETIMEDOUT)
                return "running";
        for (size_t i = 0; i < ELEMENTSOF(job_results); i++)
                if (r == -job_results[i].errnum)
                        return job_results[i].result;
        return NULL;
}

static const char *job_result_text(int r) {
        for (size_t i = 0; i < ELEMENTSOF(job_results); i++)
                if (r == -job_results[i].errnum)
                        return job_results[i].text;
        return "ended with a result unknown to this version";
}

BusWaitJobs *bus_wait_jobs_free(BusWaitJobs *w) {
        if (!w)
                return NULL;
        sd_bus_slot_unref(w->slot);
        for (size_t i = 0; i < w->n; i++) {
                free(w->jobs[i].path);
                free(w->jobs[i].unit);
        }
        free(w->jobs);
        sd_bus_unref(w->bus);
        free(w);
        return NULL;
}

static int job_verdict(const BusWaitJobs *w, int result) {
        return result == -EALREADY && (w->flags & BUS_WAIT_JOBS_SKIPPED_OK) ? 0 : result;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusWaitJobs *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        for (size_t i = 0; i < w->n; i++)
                if (w->jobs[i].result > 0 && strcmp(w->jobs[i].path, path) == 0) {
                        w->jobs[i].result = bus_job_result_to_errno(result);
                        w->n_done++;
                        break;
                }
        return 0;
}

int bus_wait_jobs_new(sd_bus *bus, BusWaitJobsFlags flags, BusWaitJobs **ret) {
        BusWaitJobs *w = calloc(1, sizeof(BusWaitJobs));
        int r;

        if (!w)
                return -ENOMEM;
        w->bus = sd_bus_ref(bus);
        w->flags = flags;
        /* On PID 1's private socket (a direct connection) messages carry no
         * sender, so only a bus client can match on one. */
        r = sd_bus_match_signal(bus, &w->slot, sd_bus_is_bus_client(bus) > 0 ? DEST : NULL, MANAGER_PATH,
                                MANAGER_IFACE, "JobRemoved", on_job_removed, w);
        if (r < 0) {
                bus_wait_jobs_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

int bus_wait_jobs_add(BusWaitJobs *w, const char *path, const char *unit) {
        Job *jobs = realloc(w->jobs, (w->n + 1) * sizeof(Job));

        if (!jobs)
                return -ENOMEM;
        w->jobs = jobs;
        Job j = { .path = strdup(path), .unit = strdup(unit), .result = 1 };
        if (!j.path || !j.unit) {
                free(j.path);
                free(j.unit);
                return -ENOMEM;
        }
        w->jobs[w->n++] = j;
        return 0;
}

int bus_wait_jobs_enqueue(BusWaitJobs *w, const char *method, const char *unit, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(w->bus, DEST, MANAGER_PATH, MANAGER_IFACE, method, ret_error, &reply, "ss", unit,
                               "replace");
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        return bus_wait_jobs_add(w, path, unit);
}

size_t bus_wait_jobs_running(const BusWaitJobs *w) {
        return w->n - w->n_done;
}

int bus_wait_jobs_some(BusWaitJobs *w, size_t at_most_running, uint64_t deadline) {
        int r;

        while (w->n - w->n_done > at_most_running) {
                r = sd_bus_process(w->bus, NULL);
                if (r > 0)
                        continue;
                if (r < 0)
                        return r;
                uint64_t n = now_usec(CLOCK_MONOTONIC);
                if (n >= deadline)
                        return 0;
                r = sd_bus_wait(w->bus, deadline - n);
                /* A signal (a terminal resize, a timer of the caller) ends the poll, not the job. */
                if (r < 0 && r != -EINTR)
                        return r;
        }
        return 0;
}

int bus_wait_jobs_first_error(const BusWaitJobs *w) {
        for (size_t i = 0; i < w->n; i++)
                if (w->jobs[i].result <= 0 && job_verdict(w, w->jobs[i].result) < 0)
                        return w->jobs[i].result;
        return 0;
}

int bus_wait_jobs_result(const BusWaitJobs *w, uint64_t timeout_usec) {
        bool log = w->flags & BUS_WAIT_JOBS_LOG_ERROR;
        int ret = 0;

        for (size_t i = 0; i < w->n; i++) {
                const char *unit = w->jobs[i].unit;
                int r = w->jobs[i].result > 0 ? -ETIMEDOUT : job_verdict(w, w->jobs[i].result);
                if (r == 0)
                        continue;
                if (log && r == -ETIMEDOUT)
                        log_error("job for %s still running after %llu s; it goes on in systemd "
                                  "(systemctl list-jobs)", unit, (unsigned long long) (timeout_usec / 1000000));
                else if (log)
                        log_error("job for %s %s. See \"systemctl status %s\" and \"journalctl -u %s\".", unit,
                                  job_result_text(r), unit, unit);
                ret = ret ?: r;
        }
        return ret;
}

int bus_wait_jobs_all(BusWaitJobs *w, uint64_t timeout_usec) {
        int r = bus_wait_jobs_some(w, 0, now_usec(CLOCK_MONOTONIC) + timeout_usec);
        return r < 0 ? r : bus_wait_jobs_result(w, timeout_usec);
}

/* See bus-wait-jobs.h. */
int bus_wait_ready(sd_bus *bus, uint64_t budget_usec) {
        uint64_t end = now_usec(CLOCK_MONOTONIC) + budget_usec;
        int r;

        while ((r = sd_bus_is_ready(bus)) == 0) {
                uint64_t n = now_usec(CLOCK_MONOTONIC);

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (n >= end)
                        return 0;
                r = sd_bus_wait(bus, end - n);
                if (r < 0)
                        return r;
        }
        return r < 0 ? r : 1;
}
