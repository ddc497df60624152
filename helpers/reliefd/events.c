/* nova-reliefd's event flow, all of it: every sd-event source and callback
 * lives here; monitor.c (one look and what follows), victims.c (kill,
 * confirm) and deadline.c (the soft deadlines) are actions called from it
 * and never call back.
 *
 * Every memory wakeup (a PSI trigger, the slice's memory.events, the timer)
 * goes through events_wakeup(): one reap of the victims, one look, the
 * watches renewed, the timer armed again. A victim's cgroup.events only
 * confirms that victim; one look follows a batch of them. The soft
 * deadlines have their own two sources, and no look: a timer at the
 * earliest deadline, and an inotify watch on the records' directory. Each
 * wakeup is counted by its source (the metrics).
 *
 * One error policy for every callback: a look that fails (meminfo
 * unreadable: the daemon would decide blind) or a timer that cannot be armed
 * ends the loop with RELIEFD_EXIT_HOST; systemd restarts the daemon
 * (Restart=always, 100 ms) and the journal keeps the error. Carrying on was
 * worse: the victim watch swallowed the error and returned before the timer
 * was armed again, leaving the daemon to wake on PSI alone. Errors inside a
 * look that leave it able to decide (a slice that cannot be listed, a kill
 * that fails) are logged there and the look goes on. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "reliefd.h"
#include "soft-deadline.h"
#include "str-util.h"

/* Wake on 100 ms of "some" stall within any 1 s window: far earlier than
 * oomd's 60 % over 30 s, and cheap (the kernel polls only while stalling). */
#define PSI_TRIGGER "some 100000 1000000"
/* The soft deadlines' timer: never early, up to 1 s late (the old
 * per-agent timer unit's AccuracySec=1s), so sd-event may coalesce it. */
#define DEADLINE_ACCURACY_USEC (1000ULL * 1000)
#define DEADLINE_EVENTS (IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR)

/* The slice's cgroup was removed (its last agent stopped): its files poll
 * as EPOLLERR for ever. Drop both watches; watch_slice() renews them. */
static void unwatch_slice(Daemon *d) {
        d->slice_psi = sd_event_source_disable_unref(d->slice_psi);
        d->slice_events = sd_event_source_disable_unref(d->slice_events);
        d->slice_watched = false;
}

static int on_victim_events(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static void victim_check(Daemon *d, Victim *v, int fd);

static int watch_victim(Daemon *d, Victim *v) {
        _cleanup_(freep) char *path = str_printf("%s/%s/cgroup.events", d->slice_dir, v->name);
        if (!path)
                return -ENOMEM;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        int r = sd_event_add_io(d->event, &v->watch, fd, EPOLLPRI, on_victim_events, d);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_event_source_set_io_fd_own(v->watch, true);
        if (r < 0)
                return r;
        /* It may have emptied before the watch was there: no event would come. */
        victim_check(d, v, fd);
        return 0;
}

/* Victims chosen by the last look (or restored) get their cgroup.events
 * watched; one whose watch cannot be set is confirmed by the timer's reap. */
static void watch_victims(Daemon *d) {
        for (size_t i = 0; i < d->n_victims; i++)
                if (!d->victims[i].watch && watch_victim(d, &d->victims[i]) < 0)
                        d->victims[i].watch = NULL;
}

static void watch_slice(Daemon *d);
static void watch_deadlines(Daemon *d, bool verbose);

static int look(Daemon *d) {
        uint64_t sleep;
        int r;

        d->looks_total++;
        watch_slice(d);
        watch_deadlines(d, false);
        victims_reap(d);
        r = monitor_tick(d, &sleep);
        if (r >= 0) {
                watch_victims(d);
                /* A time source is one-shot: set the next time and arm it again. */
                r = sd_event_source_set_time_relative(d->timer, sleep);
                if (r >= 0)
                        r = sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
                if (r < 0)
                        log_error("cannot arm the timer: %s", strerror(-r));
        }
        return r < 0 ? sd_event_exit(d->event, RELIEFD_EXIT_HOST) : 0;
}

int events_wakeup(Daemon *d, WakeupSource source) {
        d->wakeups[source]++;
        return look(d);
}

static int wake_slice(Daemon *d, sd_event_source *s, uint32_t revents, WakeupSource source) {
        if ((revents & EPOLLERR) && (s == d->slice_psi || s == d->slice_events))
                unwatch_slice(d);
        return events_wakeup(d, source);
}

static int on_psi(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        return wake_slice(userdata, s, revents, WAKEUP_PSI);
}

static int on_memory_events(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[512];

        /* kernfs reports every change of the file as EPOLLERR|EPOLLPRI, so
         * EPOLLERR does not mean "gone" here (taking it so made each change
         * drop and renew the watch, and the fresh file descriptor fired at
         * once: a wakeup loop). Reading re-arms it; ENODEV: the cgroup is gone. */
        if (pread(fd, buf, sizeof(buf), 0) < 0)
                return wake_slice(userdata, s, EPOLLERR, WAKEUP_MEMORY_EVENTS);
        return wake_slice(userdata, s, revents & ~EPOLLERR, WAKEUP_MEMORY_EVENTS);
}

/* Reading re-arms kernfs' POLLPRI. "populated 0", or a cgroup already
 * removed (ENODEV): the victim is gone, confirmed here rather than by the
 * reap reading every victim's file again. */
static void victim_check(Daemon *d, Victim *v, int fd) {
        char buf[256];
        ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);
        uint64_t populated = 1;

        if (k >= 0) {
                buf[k] = '\0';
                if (cgroup_keyed_value(buf, "populated", &populated) < 0)
                        populated = 1;
        }
        if (k < 0 || populated == 0)
                victims_confirm(d, v);
}

/* A victim's cgroup.events changed. Victims of one relief die together:
 * each one's event only confirms it and counts a wakeup, and one look
 * follows them all (a deferred source at idle priority runs after every
 * event already pending), not a look per victim: 1,000 victims were 1,000
 * looks of every agent. */
static int on_victim_events(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Daemon *d = userdata;

        d->wakeups[WAKEUP_VICTIM]++;
        for (size_t i = 0; i < d->n_victims; i++)
                if (d->victims[i].watch == s) {
                        victim_check(d, &d->victims[i], fd);
                        break;
                }
        int r = sd_event_source_set_enabled(d->look_later, SD_EVENT_ONESHOT);
        if (r < 0) {
                log_error("cannot schedule a look: %s", strerror(-r));
                return look(d);
        }
        return 0;
}

static int on_look_later(sd_event_source *s, void *userdata) {
        return look(userdata);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        return events_wakeup(userdata, WAKEUP_TIMER);
}

/* The soft deadlines' timer at the earliest entry, off without any. */
static int arm_deadlines(Daemon *d) {
        int r;

        if (d->deadlines.n == 0)
                r = sd_event_source_set_enabled(d->deadline_timer, SD_EVENT_OFF);
        else {
                r = sd_event_source_set_time(d->deadline_timer, d->deadlines.items[0].due_usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(d->deadline_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0) {
                log_error("cannot arm the soft-deadline timer: %s", strerror(-r));
                return sd_event_exit(d->event, RELIEFD_EXIT_HOST);
        }
        return 0;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Daemon *d = userdata;

        d->wakeups[WAKEUP_DEADLINE]++;
        deadline_due(d);
        return arm_deadlines(d);
}

static void unwatch_deadlines(Daemon *d) {
        d->deadline_watch = sd_event_source_disable_unref(d->deadline_watch);
}

/* Records written (renamed in) or removed. The directory itself removed
 * (IN_IGNORED): watched again, made again if need be, at the next look. A
 * full inotify queue: the directory is read whole. */
static int on_deadline_dir(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Daemon *d = userdata;
        _Alignas(struct inotify_event) char buf[4096];
        bool rescan = false, gone = false;
        ssize_t k;

        d->wakeups[WAKEUP_INOTIFY]++;
        while ((k = read(fd, buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
                for (char *p = buf; k > 0 && p < buf + k;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        if (ev->mask & IN_Q_OVERFLOW)
                                rescan = true;
                        else if (ev->mask & IN_IGNORED)
                                gone = true;
                        else if (ev->len > 0)
                                deadline_changed(d, ev->name);
                        p += sizeof(*ev) + ev->len;
                }
        if (gone) {
                log_warning("%s was removed; soft deadlines are watched again from the next look", d->deadline_dir);
                unwatch_deadlines(d);
        } else if (rescan)
                deadline_scan(d);
        return arm_deadlines(d);
}

/* The records' directory, made if missing (deadline.c says why), watched,
 * then read whole: what was written before the watch is found too. Tried
 * again at every look until it works. */
static void watch_deadlines(Daemon *d, bool verbose) {
        int fd = -EBADF, r;

        if (d->deadline_watch)
                return;
        r = deadline_dir_open(d);
        if (r >= 0)
                fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (r >= 0 && (fd < 0 || inotify_add_watch(fd, d->deadline_dir, DEADLINE_EVENTS) < 0))
                r = -errno;
        if (r >= 0)
                r = sd_event_add_io(d->event, &d->deadline_watch, fd, EPOLLIN, on_deadline_dir, d);
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                if (verbose)
                        log_error("cannot watch %s/" SOFT_DEADLINE_SUBDIR ": %s; tried again at every look", d->rundir,
                                  strerror(-r));
                return;
        }
        (void) sd_event_source_set_io_fd_own(d->deadline_watch, true);
        deadline_scan(d);
        (void) arm_deadlines(d);
}

/* A PSI trigger (path: a pressure file); a failure is logged, not fatal:
 * the timer still looks, only later. Kernel < 6.5 needs CAP_SYS_RESOURCE. */
static int watch_psi(Daemon *d, const char *path, sd_event_source **ret) {
        int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        sd_event_source *s = NULL;

        if (fd < 0 || write(fd, PSI_TRIGGER, strlen(PSI_TRIGGER) + 1) < 0) {
                int r = -errno;
                if (r != -ENOENT)
                        log_warning("no PSI trigger on %s (%s); relying on the timer", path, strerror(-r));
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
 * stops): every wakeup calls this until both watches are in place. */
static void watch_slice(Daemon *d) {
        _cleanup_(freep) char *psi = str_printf("%s/memory.pressure", d->slice_dir);
        _cleanup_(freep) char *events = str_printf("%s/memory.events", d->slice_dir);

        if (d->slice_watched || !psi || !events || access(d->slice_dir, F_OK) < 0)
                return;
        if (watch_events(d, events, &d->slice_events) >= 0) {
                (void) watch_psi(d, psi, &d->slice_psi);
                d->slice_watched = true;
        }
}

int events_setup(Daemon *d) {
        _cleanup_(freep) char *host_psi = str_printf("%s/pressure/memory", d->proc_root);
        int r;

        if (!host_psi)
                return -ENOMEM;
        d->deadline_dir_fd = -EBADF;
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
        r = sd_event_add_time(d->event, &d->deadline_timer, CLOCK_MONOTONIC, 0, DEADLINE_ACCURACY_USEC, on_deadline, d);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(d->deadline_timer, SD_EVENT_OFF);
        watch_deadlines(d, true);
        r = sd_event_add_defer(d->event, &d->look_later, on_look_later, d);
        if (r >= 0)
                r = sd_event_source_set_priority(d->look_later, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->look_later, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(d->event, &d->timer, CLOCK_MONOTONIC, 0, 10 * 1000, on_timer, d);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

int events_first_look(Daemon *d) {
        int code;

        /* The timer armed at 0 by events_setup(), brought forward. */
        (void) events_wakeup(d, WAKEUP_TIMER);
        return sd_event_get_exit_code(d->event, &code) >= 0 ? code : RELIEFD_EXIT_OK;
}

void events_done(Daemon *d) {
        victims_free(d);
        agents_free(d);
        unwatch_slice(d);
        unwatch_deadlines(d);
        d->deadline_timer = sd_event_source_unref(d->deadline_timer);
        deadline_done(d);
        d->timer = sd_event_source_unref(d->timer);
        d->look_later = sd_event_source_unref(d->look_later);
        d->event = sd_event_unref(d->event);
}
