/* What nova-reliefd publishes besides the journal: the admission state for
 * the agent unit's start condition and novactl, and metrics in Prometheus' text format
 * for node-exporter's textfile collector. Both are replaced by rename; only
 * the admission file is fsynced. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "file-util.h"
#include "log.h"
#include "macro.h"
#include "reliefd.h"

const char *const wakeup_source_names[_WAKEUP_SOURCE_MAX] = {
        [WAKEUP_TIMER] = "timer",
        [WAKEUP_PSI] = "psi",
        [WAKEUP_MEMORY_EVENTS] = "memory_events",
        [WAKEUP_VICTIM] = "victim",
        [WAKEUP_DEADLINE] = "deadline",
        [WAKEUP_INOTIFY] = "inotify",
};

/* Metrics at most this often, unless something changed. */
#define METRICS_INTERVAL_USEC (10ULL * 1000 * 1000)

int admission_publish(Daemon *d, double used_percent, const char *reason) {
        if (reason) {
                snprintf(d->reason, sizeof(d->reason), "%s", reason);
                d->since_usec = now_usec(CLOCK_REALTIME);
        }
        AdmissionState s = {
                .closed = d->admission.closed || d->disk.closed,
                .since_usec = d->since_usec,
                .used_percent = used_percent >= 0 && used_percent <= 100 ? used_percent : -1,
                .reason = d->reason[0] ? d->reason : NULL,
                .last_relief_usec = d->last_relief_usec,
                .last_relief_victims = d->last_relief_victims,
        };
        int r = admission_write(d->rundir, &s);
        if (r < 0)
                log_error("cannot write %s/" ADMISSION_FILE ": %s", d->rundir, strerror(-r));
        return r;
}

int metrics_write(Daemon *d, bool force) {
        _cleanup_(freep) char *text = NULL;
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        size_t size = 0;
        FILE *f;

        if (d->config.metrics_disabled || !d->config.metrics_file || (!force && now - d->metrics_written_usec < METRICS_INTERVAL_USEC))
                return 0;
        if (!(f = open_memstream(&text, &size)))
                return -ENOMEM;
        fprintf(f, "# HELP nova_reliefd_admission_closed 1 while admission of new agents is closed.\n"
                   "# TYPE nova_reliefd_admission_closed gauge\nnova_reliefd_admission_closed %d\n",
                d->admission.closed || d->disk.closed);
        fprintf(f, "# HELP nova_reliefd_memory_used_ratio Host memory used (MemTotal - MemAvailable) / MemTotal.\n"
                   "# TYPE nova_reliefd_memory_used_ratio gauge\nnova_reliefd_memory_used_ratio %.4f\n",
                host_memory_used_percent(&d->host) / 100);
        const struct { const char *name, *help; uint64_t v; } counters[] = {
                { "kills_total", "Agents killed by relief.", d->kills_total },
                { "reliefs_total", "Relief rounds started.", d->reliefs_total },
                { "pressure_reliefs_total", "Relief due to memory pressure below the kill threshold.",
                  d->pressure_reliefs_total },
                { "looks_total", "Looks at host memory (a batch of victims' events shares one).", d->looks_total },
                { "admission_transitions_total", "Admission closed or opened.", d->transitions_total },
                { "outside_pressure_total", "Relief due but the pressure came from outside the slice.", d->outside_total },
                { "soft_deadlines_total", "Soft deadlines reached: SIGUSR1 sent to an agent's main process.",
                  d->soft_deadlines_total },
        };
        for (size_t i = 0; i < ELEMENTSOF(counters); i++)
                fprintf(f, "# HELP nova_reliefd_%s %s\n# TYPE nova_reliefd_%s counter\nnova_reliefd_%s %llu\n",
                        counters[i].name, counters[i].help, counters[i].name, counters[i].name,
                        (unsigned long long) counters[i].v);
        /* Every source, 0 included: a series that appears late breaks rate(). */
        fputs("# HELP nova_reliefd_wakeups_total Wakeups of the daemon, by the event source that woke it.\n"
              "# TYPE nova_reliefd_wakeups_total counter\n", f);
        for (size_t i = 0; i < _WAKEUP_SOURCE_MAX; i++)
                fprintf(f, "nova_reliefd_wakeups_total{source=\"%s\"} %llu\n", wakeup_source_names[i],
                        (unsigned long long) d->wakeups[i]);
        fprintf(f, "# HELP nova_reliefd_last_relief_timestamp_seconds When relief last killed (0: never).\n"
                   "# TYPE nova_reliefd_last_relief_timestamp_seconds gauge\n"
                   "nova_reliefd_last_relief_timestamp_seconds %llu\n",
                (unsigned long long) (d->last_relief_usec / 1000000));
        disk_metrics(d, f);
        if (fclose(f) != 0)
                return -ENOMEM;
        d->metrics_written_usec = now;
        /* No fsync: a MetricsFile= on a slow disk must not stall the look
         * (the next write replaces a file lost in a crash). */
        int r = write_file_replace(d->config.metrics_file, text, size, 0644);
        if (r < 0)
                log_error("cannot write %s: %s", d->config.metrics_file, strerror(-r));
        return r;
}
