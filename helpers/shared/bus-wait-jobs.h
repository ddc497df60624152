#pragma once

/* Waiting for systemd jobs, once for every tool (novactl, nova-setup-host).
 * The idiom of systemd-run: the JobRemoved match goes in before the calls
 * that make jobs (a job may end before its reply is read; sd_bus_call()
 * queues the signals that arrive meanwhile, the wait dispatches them), the
 * reply names the job, JobRemoved says how it ended.
 *
 * Each job result is one negative errno (bus_job_result_to_errno()); the
 * wait retries after EINTR (a signal is no reason to give up on a job that
 * goes on in systemd) and stops only at its deadline or when the bus is lost.
 * It logs nothing unless BUS_WAIT_JOBS_LOG_ERROR is given. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* How long one method call to PID 1 may take before a tool gives up on it
 * (sd-bus's default is 25 s). PID 1 answers late, not never, when it is
 * working off thousands of unit deaths: in the Debian 13 5,000-agent bench
 * (2026-12-03) it handled a relief's 3,171 victims at ~4 a second for
 * minutes, `systemctl is-system-running` took 90.6 s, and a
 * `novactl stop --all --force` in that stretch gave up with exit status 5
 * having killed nothing. A stop must not give up on a slow PID 1. */
#define BUS_METHOD_CALL_TIMEOUT_USEC (5ULL * 60 * 1000 * 1000)

typedef enum BusWaitJobsFlags {
        /* One log_error() line per job that did not succeed, naming the unit
         * and where to look (systemctl status, journalctl -u). */
        BUS_WAIT_JOBS_LOG_ERROR = 1 << 0,
        /* "skipped" (an ExecCondition= refused) counts as success. A start
         * whose unit condition failed (an agent's, admission closed) ends
         * "done" anyway. Either way the caller finds out from the unit. */
        BUS_WAIT_JOBS_SKIPPED_OK = 1 << 1,
} BusWaitJobsFlags;

typedef struct BusWaitJobs BusWaitJobs;

/* Installs the JobRemoved match on bus: call it before the calls that make jobs. */
int bus_wait_jobs_new(sd_bus *bus, BusWaitJobsFlags flags, BusWaitJobs **ret);
BusWaitJobs *bus_wait_jobs_free(BusWaitJobs *w);
static inline void bus_wait_jobs_freep(BusWaitJobs **w) {
        bus_wait_jobs_free(*w);
}

/* Adds the job object path (from a StartUnit/StartTransientUnit reply) for unit. -ENOMEM. */
int bus_wait_jobs_add(BusWaitJobs *w, const char *path, const char *unit);
/* Manager.METHOD(unit, "replace") (StartUnit, StopUnit, …) and adds its job.
 * On failure the D-Bus error, if any, is left in *ret_error. */
int bus_wait_jobs_enqueue(BusWaitJobs *w, const char *method, const char *unit, sd_bus_error *ret_error);

/* Dispatches job signals until at most at_most_running jobs run or the
 * deadline (CLOCK_MONOTONIC, µs) passes; 0 then. < 0 only when the bus is lost. */
int bus_wait_jobs_some(BusWaitJobs *w, size_t at_most_running, uint64_t deadline);
size_t bus_wait_jobs_running(const BusWaitJobs *w);
/* The errno of the first added job that ended without success, else 0;
 * jobs still running do not count. */
int bus_wait_jobs_first_error(const BusWaitJobs *w);
/* The verdict on every added job: 0, or the errno of the first that did not
 * succeed, -ETIMEDOUT for one still running. Logs each by the flag. */
int bus_wait_jobs_result(const BusWaitJobs *w, uint64_t timeout_usec);
/* bus_wait_jobs_some(w, 0, now + timeout_usec), then bus_wait_jobs_result(). */
int bus_wait_jobs_all(BusWaitJobs *w, uint64_t timeout_usec);

/* "done" → 0, "skipped" → -EALREADY, "canceled" → -ECANCELED, "timeout" →
 * -ETIME, "failed" → -EIO, "dependency" → -ENOLINK, "invalid" → -ENOEXEC,
 * "assert" → -EPROTO, "unsupported" → -EOPNOTSUPP, "collected" → -EIDRM,
 * "once" → -ESTALE, "frozen" → -EDEADLK, "concurrency" → -EUSERS; a result
 * this list does not know → -EBADMSG. */
int bus_job_result_to_errno(const char *result);
/* The result word back ("failed"), "running" for -ETIMEDOUT (our deadline,
 * not the job's), NULL for an errno that is no job result. */
const char *bus_job_result_from_errno(int r);

/* Drives a new connection's handshake for at most budget_usec: sd-bus
 * itself allows it 90 s, then closes the connection, whatever the call
 * timeout. 1 when ready, 0 when the budget ran out, < 0 on error. */
int bus_wait_ready(sd_bus *bus, uint64_t budget_usec);
