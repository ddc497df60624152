/* Small helpers shared by the verbs: number formatting, and the
 * SIGKILL-and-confirm step of `stop --force` and `relieve`. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "admission.h"
#include "agent-name.h"
#include "file-util.h"
#include "relief-config.h"
#include "host-memory.h"
#include "novactl.h"
#include "str-util.h"

int check_agent_names(char **names) {
        for (char **n = names; *n; n++)
                if (!agent_name_is_valid(*n)) {
                        _cleanup_(freep) char *e = str_escape(*n);
                        log_error("invalid agent name \"%s\": %s", e ? e : "", AGENT_NAME_RULE);
                        return -EINVAL;
                }
        return 0;
}

const char *format_bytes(char *buf, size_t size, uint64_t bytes) {
        static const char units[] = "KMGTPE";
        double v = (double) bytes;
        size_t i = 0;

        if (bytes == AGENT_CGROUP_UNKNOWN)
                snprintf(buf, size, "-");
        else if (bytes == AGENT_CGROUP_MAX)
                snprintf(buf, size, "max");
        else if (bytes < 1024)
                snprintf(buf, size, "%" PRIu64 "B", bytes);
        else {
                /* Divided once per letter: the last letter takes what is left. */
                for (v /= 1024; v >= 1024 && i + 2 < sizeof(units); i++)
                        v /= 1024;
                snprintf(buf, size, "%.1f%c", v, units[i]);
        }
        return buf;
}

const char *format_duration(char *buf, size_t size, uint64_t usec) {
        uint64_t s = usec / 1000000;

        if (usec == UINT64_MAX)
                snprintf(buf, size, "-");
        else if (s < 60)
                snprintf(buf, size, "%" PRIu64 "s", s);
        else if (s < 3600)
                snprintf(buf, size, "%" PRIu64 "min %" PRIu64 "s", s / 60, s % 60);
        else
                snprintf(buf, size, "%" PRIu64 "h %" PRIu64 "min", s / 3600, s / 60 % 60);
        return buf;
}

char *agent_slice_dir(void) {
        return str_printf("%s" AGENT_SLICE_CGROUP, novactl_cgroup_root());
}

char *agent_cgroup_dir(const char *name) {
        /* The slice's place is fixed by its name (nova-agents.slice lives in
         * nova.slice) and agent names need no unit-name escaping. */
        return str_printf("%s" AGENT_SLICE_CGROUP "/" AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX,
                          novactl_cgroup_root(), name);
}

/* 1 while populated, 0 when empty or gone. cgroup.events signals a change
 * with POLLPRI (kernfs_notify), so the wait is event-driven; the 100 ms cap
 * only guards against a missed wakeup. */
static int wait_cgroup_empty(const char *dir, uint64_t deadline) {
        _cleanup_(freep) char *path = str_printf("%s/cgroup.events", dir);
        _cleanup_(closep) int fd = -EBADF;
        char buf[256];

        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENODEV ? 0 : -errno;
        for (;;) {
                ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);
                uint64_t v = 1;
                if (k < 0)
                        return errno == ENODEV || errno == ENOENT ? 0 : -errno;
                buf[k] = '\0';
                if (cgroup_keyed_value(buf, "populated", &v) == 0 && v == 0)
                        return 0;
                uint64_t n = now_usec(CLOCK_MONOTONIC);
                if (n >= deadline)
                        return 1;
                uint64_t wait_ms = (deadline - n) / 1000;
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                (void) poll(&p, 1, wait_ms > 100 ? 100 : (int) wait_ms + 1);
        }
}

int agent_wait_empty(const char *unit, uint64_t timeout_usec) {
        _cleanup_(freep) char *name = agent_name_from_unit(unit);
        _cleanup_(freep) char *dir = name ? agent_cgroup_dir(name) : NULL;
        int r;

        if (!dir)
                return log_oom();
        /* Another host's cgroupfs is out of reach; there the stop job that
         * follows the kill ends only once the cgroup is empty. */
        if (arg_host)
                return 0;
        r = wait_cgroup_empty(dir, now_usec(CLOCK_MONOTONIC) + timeout_usec);
        if (r < 0) {
                log_error("%s: %s", dir, strerror(-r));
                return r;
        }
        if (r > 0) { /* wait_cgroup_empty()'s "still populated" */
                log_error("%s still has processes %llu ms after SIGKILL", unit,
                          (unsigned long long) (timeout_usec / 1000));
                return -ETIMEDOUT;
        }
        return 0;
}

bool agent_unit_running(const AgentUnit *u) {
        return strcmp(u->active_state, "inactive") != 0 && strcmp(u->active_state, "failed") != 0;
}

int agents_wait_empty(const AgentUnit *units, size_t n, uint64_t timeout_usec) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + timeout_usec;
        const char *first = NULL;
        size_t left = 0;

        if (arg_host) /* as in agent_wait_empty() */
                return 0;
        for (size_t i = 0; i < n; i++) {
                if (!agent_unit_running(&units[i]))
                        continue;
                _cleanup_(freep) char *dir = agent_cgroup_dir(units[i].name);
                if (!dir)
                        return log_oom();
                /* Past the deadline each is read once: all are counted. */
                int r = wait_cgroup_empty(dir, deadline);
                if (r < 0) {
                        log_error("%s: %s", dir, strerror(-r));
                        return r;
                }
                if (r > 0 && left++ == 0)
                        first = units[i].unit;
        }
        if (left == 0)
                return 0;
        log_error("%zu agent%s still ha%s processes %llu s after %s stopped (first: %s)", left, left == 1 ? "" : "s",
                  left == 1 ? "s" : "ve", (unsigned long long) (timeout_usec / 1000000), left == 1 ? "it" : "they",
                  first);
        return -ETIMEDOUT;
}

int agent_kill_and_confirm(sd_bus *bus, const char *unit, uint64_t timeout_usec) {
        int r = bus_kill_unit(bus, unit, "all", SIGKILL);
        return r < 0 ? r : agent_wait_empty(unit, timeout_usec);
}

int check_admission(const char *name) {
        _cleanup_(admission_state_done) AdmissionState s = {};
        const char *problem = NULL;
        unsigned line = 0;
        int r;

        r = admission_read(novactl_rundir(), &s, &line, &problem);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                /* Fail closed: an unreadable state may well mean "closed".
                 * ("%.0u" prints nothing for line 0: no line to name.) */
                log_error("cannot read the admission state %s/%s%s%.0u: %s; not starting %s (--force overrides)",
                          novactl_rundir(), ADMISSION_FILE, line ? ":" : "", line,
                          problem ? problem : strerror(-r), name);
                return -EBUSY;
        }
        if (!s.closed)
                return 0;

        char since[64] = "an unknown time";
        if (s.since_usec > 0) {
                time_t t = (time_t) (s.since_usec / 1000000);
                struct tm tm;
                if (localtime_r(&t, &tm))
                        strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
        }
        _cleanup_(freep) char *reason = s.reason ? str_escape(s.reason) : NULL;
        log_error("admission is closed since %s%s%s%s: not starting %s (--force overrides)", since,
                  reason ? " (" : "", reason ? reason : "", reason ? ")" : "", name);
        return -EBUSY;
}

/* The --force token the agent's --prepare step consumes (one start of NAME). */
static char *admit_path(const char *name) {
        return admission_force_path(novactl_rundir(), name);
}

int admit_once(const char *name) {
        _cleanup_(freep) char *path = admit_path(name);
        int r;

        if (!path)
                return log_oom();
        r = write_file_atomic(path, "", 0, 0600);
        if (r < 0) {
                log_error("cannot write %s: %s", path, strerror(-r));
                return r;
        }
        return 0;
}

void admit_forget(const char *name) {
        (void) admission_force_consume(novactl_rundir(), name);
}

int relief_config_get(ReliefConfig *ret) {
        _cleanup_(freep) char *error = NULL;
        int r;

        relief_config_defaults(ret);
        r = relief_config_load(novactl_confdir(), ret, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                /* Unreadable counts as bad too: the file is the operator's to fix. */
                log_error("%s", error ? error : strerror(-r));
                return -EINVAL;
        }
        return 0;
}
