/* nova-reliefd: relieves memory pressure in nova-agents.slice before the
 * kernel's global OOM killer would, and closes admission of new agents
 * before that. PSI triggers (host and slice) and the slice's memory.events
 * wake it; occupancy (MemTotal - MemAvailable) decides; between events it
 * sleeps headroom ÷ worst-case fill rate. See nova-reliefd(8). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "admission.h"
#include "agent-unit.h"
#include "log.h"
#include "macro.h"
#include "reliefd.h"
#include "str-util.h"

/* A restart re-derives the state: the admission file says whether it was
 * closed (then the hold to reopen starts afresh), the in-flight file which
 * victims are still dying. */
static void restore(Daemon *d) {
        AdmissionState s = {};
        if (admission_read(d->rundir, &s, NULL, NULL) >= 0) {
                if (s.closed)
                        d->admission = (AdmissionMachine) { .closed = true, .since_usec = now_usec(CLOCK_MONOTONIC) };
                d->last_relief_usec = s.last_relief_usec;
                d->last_relief_victims = s.last_relief_victims;
        }
        admission_state_done(&s);
        if (victims_restore(d) < 0)
                log_error("cannot restore %s/relief-inflight; starting with no victim in flight", d->rundir);
}

static int parse_argv(int argc, char **argv, bool *check_only) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "check-config", no_argument, NULL, 'c' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: nova-reliefd [--check-config]\n\nMemory relief and admission control "
                               "for nova-agents.slice. See nova-reliefd(8).\n");
                        return 0;
                case 'V':
                        printf("nova-reliefd %s\n", PACKAGE_VERSION);
                        return 0;
                case 'c':
                        *check_only = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("no arguments expected");
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        _cleanup_(freep) char *error = NULL, *slice_dir = NULL, *metrics = NULL;
        Daemon d = { .proc_root = dir_from_env("NOVA_RELIEFD_PROC_ROOT", "/proc"),
                     .rundir = agents_rundir(),
                     .confdir = agents_confdir() };
        bool check_only = false;
        int r;

        /* Under systemd, stderr is the journal's stream: each line then carries its priority. */
        log_set_target(getenv("JOURNAL_STREAM") ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE);
        r = parse_argv(argc, argv, &check_only);
        if (r <= 0)
                return r == 0 ? RELIEFD_EXIT_OK : RELIEFD_EXIT_CONFIG;
        relief_config_defaults(&d.config);
        r = relief_config_load(d.confdir, &d.config, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return r == -ENOMEM ? RELIEFD_EXIT_FAILURE : RELIEFD_EXIT_CONFIG;
        }
        if (check_only)
                return RELIEFD_EXIT_OK;
        slice_dir = str_printf("%s" AGENT_SLICE_CGROUP, dir_from_env("NOVA_RELIEFD_CGROUP_ROOT", "/sys/fs/cgroup"));
        if (!d.config.metrics_file && !d.config.metrics_disabled)
                d.config.metrics_file = metrics = str_printf("%s/nova-reliefd.prom", d.rundir);
        if (!slice_dir || (!d.config.metrics_file && !d.config.metrics_disabled))
                return RELIEFD_EXIT_FAILURE;
        d.slice_dir = slice_dir;
        if (host_memory_read(d.proc_root, &d.host) < 0) {
                log_error("cannot read %s/meminfo", d.proc_root);
                return RELIEFD_EXIT_HOST;
        }
        /* Our own pages must not be reclaimed when we are needed most. */
        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
                log_warning("mlockall failed (%s); continuing unlocked", strerror(errno));

        r = events_setup(&d);
        if (r < 0) {
                log_error("cannot set up the event loop: %s", strerror(-r));
                return RELIEFD_EXIT_FAILURE;
        }
        restore(&d);
        (void) admission_publish(&d, host_memory_used_percent(&d.host),
                                 d.admission.closed ? "closed before a restart" : "nova-reliefd started");
        r = events_first_look(&d);
        if (r == RELIEFD_EXIT_OK) {
                (void) sd_notify(false, "READY=1\nSTATUS=watching nova-agents.slice");
                r = sd_event_loop(d.event);
                (void) sd_notify(false, "STOPPING=1");
        }
        events_done(&d);
        free(d.agents);
        if (d.config.metrics_file == metrics)
                d.config.metrics_file = NULL;
        relief_config_done(&d.config);
        return r < 0 ? RELIEFD_EXIT_FAILURE : r;
}
