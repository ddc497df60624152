/* nova-reliefd: relieves memory pressure in nova-agents.slice before the
 * kernel's global OOM killer would, and closes admission of new agents
 * before that. PSI triggers (host and slice) and the slice's memory.events
 * wake it; occupancy (MemTotal - MemAvailable) decides; between events it
 * sleeps headroom ÷ worst-case fill rate. See nova-reliefd(8). */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "admission.h"
#include "macro.h"
#include "reliefd.h"
#include "str-util.h"

/* Wake on 100 ms of "some" stall within any 1 s window: far earlier than
 * oomd's 60 % over 30 s, and cheap (the kernel polls only while stalling). */
#define PSI_TRIGGER "some 100000 1000000"

static const char *env_or(const char *var, const char *fallback) {
        const char *v = getenv(var);
        return v && *v ? v : fallback;
}

/* The slice's cgroup was removed (its last agent stopped): its files poll
 * as EPOLLERR for ever. Drop both watches; watch_slice() renews them. */
static void unwatch_slice(Daemon *d) {
        d->slice_psi = sd_event_source_disable_unref(d->slice_psi);
        d->slice_events = sd_event_source_disable_unref(d->slice_events);
        d->slice_watched = false;
}

static int on_psi(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Daemon *d = userdata;

        if ((revents & EPOLLERR) && (s == d->slice_psi || s == d->slice_events))
                unwatch_slice(d);
        return monitor_tick(d) < 0 ? sd_event_exit(d->event, RELIEFD_EXIT_HOST) : 0;
}

static int on_memory_events(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[512];

        /* Reading re-arms kernfs' POLLPRI; ENODEV: the cgroup is gone. */
        if (pread(fd, buf, sizeof(buf), 0) < 0)
                revents |= EPOLLERR;
        return on_psi(s, fd, revents, userdata);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        return monitor_tick(userdata) < 0 ? sd_event_exit(sd_event_source_get_event(s), RELIEFD_EXIT_HOST) : 0;
}

/* A PSI trigger (path: a pressure file); a failure is logged, not fatal:
 * the timer still looks, only later. Kernel < 6.5 needs CAP_SYS_RESOURCE. */
static int watch_psi(Daemon *d, const char *path, sd_event_source **ret) {
        int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        sd_event_source *s = NULL;

        if (fd < 0 || write(fd, PSI_TRIGGER, strlen(PSI_TRIGGER) + 1) < 0) {
                int r = -errno;
                if (r != -ENOENT)
                        fprintf(stderr, "no PSI trigger on %s (%s); relying on the timer\n", path, strerror(-r));
                if (fd >= 0)
                        close(fd);
                return r;
        }
        if (sd_event_add_io(d->event, &s, fd, EPOLLPRI, on_psi, d) < 0) {
                close(fd);
                return -ENOMEM;
        }
        (void) sd_event_source_set_io_fd_own(s, true);
        if (ret)
                *ret = s;
        else
                (void) sd_event_source_set_floating(s, true);
        return 0;
}

static int watch_events(Daemon *d, const char *path, sd_event_source **ret) {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        sd_event_source *s = NULL;

        if (fd < 0)
                return -errno;
        if (sd_event_add_io(d->event, &s, fd, EPOLLPRI, on_memory_events, d) < 0) {
                close(fd);
                return -ENOMEM;
        }
        (void) sd_event_source_set_io_fd_own(s, true);
        *ret = s;
        return 0;
}

/* The slice's cgroup exists from its first agent on (and is removed when it
 * stops): monitor_tick() calls this until both watches are in place. */
void watch_slice(Daemon *d) {
        _cleanup_(freep) char *psi = str_printf("%s/memory.pressure", d->slice_dir);
        _cleanup_(freep) char *events = str_printf("%s/memory.events", d->slice_dir);

        if (d->slice_watched || !psi || !events || access(d->slice_dir, F_OK) < 0)
                return;
        if (watch_events(d, events, &d->slice_events) >= 0) {
                (void) watch_psi(d, psi, &d->slice_psi);
                d->slice_watched = true;
        }
}

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
                fprintf(stderr, "cannot restore %s/relief-inflight; starting with no victim in flight\n", d->rundir);
}

static int setup(Daemon *d) {
        _cleanup_(freep) char *host_psi = str_printf("%s/pressure/memory", d->proc_root);
        int r;

        if (!host_psi)
                return -ENOMEM;
        r = sd_event_default(&d->event);
        if (r < 0)
                return r;
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        (void) sd_event_add_signal(d->event, NULL, SIGTERM, NULL, NULL);
        (void) sd_event_add_signal(d->event, NULL, SIGINT, NULL, NULL);
        (void) sd_event_set_watchdog(d->event, true);
        (void) watch_psi(d, host_psi, NULL);
        watch_slice(d);
        r = sd_event_add_time_relative(d->event, &d->timer, CLOCK_MONOTONIC, 0, 10 * 1000, on_timer, d);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
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
                fprintf(stderr, "nova-reliefd: no arguments expected\n");
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        _cleanup_(freep) char *error = NULL, *slice_dir = NULL, *metrics = NULL;
        Daemon d = { .proc_root = env_or("NOVA_RELIEFD_PROC_ROOT", "/proc"),
                     .rundir = env_or("NOVA_AGENTS_RUNDIR", RUNDIR "/nova-agents"),
                     .confdir = env_or("NOVA_AGENTS_CONFDIR", SYSCONFDIR "/nova-agents") };
        bool check_only = false;
        int r;

        r = parse_argv(argc, argv, &check_only);
        if (r <= 0)
                return r == 0 ? RELIEFD_EXIT_OK : RELIEFD_EXIT_CONFIG;
        relief_config_defaults(&d.config);
        r = relief_config_load(d.confdir, &d.config, &error);
        if (r < 0) {
                fprintf(stderr, "nova-reliefd: %s\n", error ? error : strerror(-r));
                return r == -ENOMEM ? RELIEFD_EXIT_FAILURE : RELIEFD_EXIT_CONFIG;
        }
        if (check_only)
                return RELIEFD_EXIT_OK;
        slice_dir = str_printf("%s/nova.slice/nova-agents.slice", env_or("NOVA_RELIEFD_CGROUP_ROOT", "/sys/fs/cgroup"));
        if (!d.config.metrics_file && !d.config.metrics_disabled)
                d.config.metrics_file = metrics = str_printf("%s/nova-reliefd.prom", d.rundir);
        if (!slice_dir || (!d.config.metrics_file && !d.config.metrics_disabled))
                return RELIEFD_EXIT_FAILURE;
        d.slice_dir = slice_dir;
        if (host_memory_read(d.proc_root, &d.host) < 0) {
                fprintf(stderr, "nova-reliefd: cannot read %s/meminfo\n", d.proc_root);
                return RELIEFD_EXIT_HOST;
        }
        /* Our own pages must not be reclaimed when we are needed most. */
        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
                fprintf(stderr, "mlockall failed (%s); continuing unlocked\n", strerror(errno));

        r = setup(&d);
        if (r < 0) {
                fprintf(stderr, "nova-reliefd: cannot set up the event loop: %s\n", strerror(-r));
                return RELIEFD_EXIT_FAILURE;
        }
        restore(&d);
        (void) admission_publish(&d, host_memory_used_percent(&d.host),
                                 d.admission.closed ? "closed before a restart" : "nova-reliefd started");
        r = monitor_tick(&d);
        if (r < 0)
                return RELIEFD_EXIT_HOST;
        (void) sd_notify(false, "READY=1\nSTATUS=watching nova-agents.slice");
        r = sd_event_loop(d.event);
        (void) sd_notify(false, "STOPPING=1");
        victims_free(&d);
        unwatch_slice(&d);
        free(d.agents);
        sd_event_source_unref(d.timer);
        sd_event_unref(d.event);
        if (d.config.metrics_file == metrics)
                d.config.metrics_file = NULL;
        relief_config_done(&d.config);
        return r < 0 ? RELIEFD_EXIT_FAILURE : r;
}
