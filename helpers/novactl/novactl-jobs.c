/* The calls with which novactl makes PID 1 act: jobs (StartUnit, StopUnit,
 * RestartUnit) and their wait, KillUnit, ResetFailedUnit. Root calls PID 1;
 * an operator's go through the broker (novactl-operator.c). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-wait-jobs.h"
#include "novactl.h"
#include "str-util.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

/* The job wait of helpers/shared/bus-wait-jobs.c, which logs each job that
 * did not succeed with its result. A skipped start is not a failure here:
 * ensure and spawn look at the unit afterwards (agent_check_started()). */
int job_wait_new(sd_bus *bus, JobWait **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        static bool subscribed;
        int r = bus_wait_jobs_new(bus, BUS_WAIT_JOBS_LOG_ERROR | BUS_WAIT_JOBS_SKIPPED_OK, ret);

        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return bus_log_error("cannot watch for jobs", NULL, r);
        /* PID 1 sends a job's signals to its requester, the broker here, and
         * to subscribers: so subscribe (unprivileged callers may). */
        if (!subscribed && operator_broker_active()) {
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &e, NULL, NULL);
                if (r < 0)
                        return bus_log_error("cannot subscribe to job signals", &e, r);
                subscribed = true;
        }
        return 0;
}

int job_wait_add_path(JobWait *w, const char *path, const char *unit) {
        return bus_wait_jobs_add(w, path, unit) < 0 ? log_oom() : 0;
}

int job_wait_enqueue(JobWait *w, const char *method, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (operator_broker_active()) {
                _cleanup_(freep) char *job = NULL;
                r = operator_broker_call(method, unit, 0, &job, &e);
                if (r >= 0)
                        r = bus_wait_jobs_add(w, job, unit);
        } else
                r = bus_wait_jobs_enqueue(w, method, unit, &e);
        if (r == -ENOMEM && !sd_bus_error_is_set(&e))
                return log_oom();
        if (r < 0) {
                _cleanup_(freep) char *what = str_printf("%s %s", method, unit);
                return bus_log_error(what ? what : method, &e, r);
        }
        return 0;
}

int job_wait_some(JobWait *w, size_t at_most_running, uint64_t deadline) {
        int r = bus_wait_jobs_some(w, at_most_running, deadline);
        return r < 0 ? bus_log_error("lost the bus while waiting for jobs", NULL, r) : 0;
}

int job_wait_all(JobWait *w, uint64_t timeout_usec) {
        int r = job_wait_some(w, 0, now_usec(CLOCK_MONOTONIC) + timeout_usec);
        if (r < 0)
                return r;
        r = bus_wait_jobs_result(w, timeout_usec);
        /* Each result was logged in its words ("failed", "timed out", …).
         * Passed on as is, "failed" (-EIO) or "unknown" (-EBADMSG) would look
         * like an I/O or parse error to novactl's table: one errno says "a
         * job did not succeed", -ETIMEDOUT "one still runs at our deadline". */
        return r == 0 || r == -ETIMEDOUT ? r : -ECANCELED;
}

int bus_kill_unit(sd_bus *bus, const char *unit, const char *whom, int signo) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (operator_broker_active() && strcmp(whom, "all") == 0)
                r = operator_broker_call("KillUnit", unit, signo, NULL, &e);
        else
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "KillUnit", &e, NULL, "ssi", unit,
                                       whom, (int32_t) signo);
        if (r < 0) {
                _cleanup_(freep) char *what = str_printf("cannot kill %s", unit);
                return bus_log_error(what ? what : "KillUnit", &e, r);
        }
        return 0;
}

int bus_reset_failed(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (operator_broker_active())
                r = operator_broker_call("ResetFailedUnit", unit, 0, NULL, &e);
        else
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "ResetFailedUnit", &e, NULL, "s",
                                       unit);
        if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
                _cleanup_(freep) char *what = str_printf("cannot reset %s", unit);
                return bus_log_error(what ? what : "ResetFailedUnit", &e, r);
        }
        return 0;
}
