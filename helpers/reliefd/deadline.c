/* The soft deadline (issue 11): SIGUSR1 ("wrap up") to an agent's main
 * process SoftDeadlineSec= after its start, once per run, without a unit per
 * agent. Each start's prepare step leaves a record (soft-deadline.h); here
 * each record is an entry of d->deadlines, looked at when due:
 *   - the agent's cgroup is gone, or is not the one the record names (its
 *     inode): that run has ended; the entry goes, and the file if unchanged;
 *   - else its main process is the first started of the cgroup (the
 *     launcher execs the command in place: systemd's MainPID), and the
 *     deadline is its start + soft + DEADLINE_MARGIN_USEC; not yet: look
 *     again then; passed: SIGUSR1 through a pidfd, the entry and file go;
 *     no process in it yet (or any more): look again in a second.
 * events.c owns the timer (armed at the earliest entry) and the watch. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-unit.h"
#include "cgroup-util.h"
#include "file-util.h"
#include "log.h"
#include "reliefd.h"
#include "soft-deadline.h"
#include "str-util.h"

/* Looks again this soon at a cgroup without a process (or after ENOMEM); a
 * record whose removal failed after its SIGUSR1 this often until its run ends. */
#define RETRY_USEC (1000ULL * 1000)
#define SENT_POLL_USEC (60ULL * 1000 * 1000)

int deadline_dir_open(Daemon *d) {
        if (!d->deadline_dir && !(d->deadline_dir = soft_deadline_dir(d->rundir)))
                return -ENOMEM;
        /* Made here, not waited for: the watch needs it before the first
         * agent starts (a watch on its parent would wake us for every
         * novactl spawn and our own admission file). */
        if (mkdir(d->deadline_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        int fd = open(d->deadline_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (d->deadline_dir_fd >= 0)
                close(d->deadline_dir_fd);
        d->deadline_dir_fd = fd;
        return 0;
}

/* A record read: a new entry, or the existing one, which keeps its due time
 * unless the record changed (a later run of the name). */
static void put(Daemon *d, const char *name, const SoftDeadline *s, uint64_t written_real, ssize_t i) {
        DeadlineEntry *e = i >= 0 ? &d->deadlines.items[i] : NULL;
        uint64_t due;

        if (e && e->soft_usec == s->soft_usec && e->cgroup_id == s->cgroup_id) {
                e->seen = true;
                return;
        }
        due = deadline_first_look(written_real, now_usec(CLOCK_REALTIME), now_usec(CLOCK_MONOTONIC), s->soft_usec);
        if (e) {
                *e = (DeadlineEntry) { .soft_usec = s->soft_usec, .cgroup_id = s->cgroup_id, .seen = true };
                snprintf(e->name, sizeof(e->name), "%s", name);
                deadline_heap_set_due(&d->deadlines, (size_t) i, due);
                return;
        }
        DeadlineEntry n = { .soft_usec = s->soft_usec, .cgroup_id = s->cgroup_id, .due_usec = due, .seen = true };
        snprintf(n.name, sizeof(n.name), "%s", name);
        if (deadline_heap_push(&d->deadlines, &n) < 0)
                log_error("soft deadline of agent %s: out of memory; it is not watched", name);
}

void deadline_changed(Daemon *d, const char *name) {
        SoftDeadline s;
        uint64_t written;

        if (!agent_name_is_valid(name) || d->deadline_dir_fd < 0)
                return; /* a temporary file of the rename */
        int r = soft_deadline_read_at(d->deadline_dir_fd, name, &s, &written);
        ssize_t i = deadline_heap_find(&d->deadlines, name);
        if (r >= 0) {
                put(d, name, &s, written, i);
                return;
        }
        if (r != -ENOENT)
                log_warning("%s/%s: %s; ignored", d->deadline_dir, name,
                            r == -EBADMSG ? "not a soft-deadline record" : strerror(-r));
        if (i >= 0)
                deadline_heap_remove(&d->deadlines, (size_t) i);
}

static int scan_one(int dfd, const char *name, void *userdata) {
        deadline_changed(userdata, name);
        return 0;
}

void deadline_scan(Daemon *d) {
        /* Its own open file description: a dup would share the offset, and
         * a second scan would start at the end. */
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (d->deadline_dir_fd < 0)
                return; /* not watched: the next look tries again */
        fd = openat(d->deadline_dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                log_error("cannot read %s: %s", d->deadline_dir, strerror(errno));
                return;
        }
        for (size_t i = 0; i < d->deadlines.n; i++)
                d->deadlines.items[i].seen = false;
        r = dir_for_each(fd, scan_one, d);
        if (r < 0) {
                log_error("cannot read %s: %s", d->deadline_dir, strerror(-r));
                return; /* keeps them all rather than forget some */
        }
        deadline_heap_keep_seen(&d->deadlines);
}

static void later(Daemon *d, uint64_t usec) {
        deadline_heap_set_due(&d->deadlines, 0, now_usec(CLOCK_MONOTONIC) + usec);
}

/* Entry 0's run has ended, or got its SIGUSR1: the entry goes, and its file
 * if it still is this record. A later run's record (another cgroup ID) is
 * left to its own inotify event. (A later run that renames its record in
 * between the read and the unlink loses it: that takes a stop and a start
 * within those microseconds.) */
static void drop(Daemon *d) {
        DeadlineEntry *e = &d->deadlines.items[0];
        SoftDeadline s;

        if (soft_deadline_read_at(d->deadline_dir_fd, e->name, &s, NULL) >= 0 && s.soft_usec == e->soft_usec &&
            s.cgroup_id == e->cgroup_id && unlinkat(d->deadline_dir_fd, e->name, 0) < 0 && errno != ENOENT) {
                log_warning("cannot remove %s/%s: %s", d->deadline_dir, e->name, strerror(errno));
                /* Kept, marked sent: the next scan must not bring it back unsent. */
                if (e->sent) {
                        later(d, SENT_POLL_USEC);
                        return;
                }
        }
        deadline_heap_remove(&d->deadlines, 0);
}

static void signal_main(Daemon *d, const char *unit, pid_t pid) {
        DeadlineEntry *e = &d->deadlines.items[0];
        int r = cgroup_signal_pid(d->proc_root, pid, unit, SIGUSR1);

        if (r >= 0) {
                log_info("Soft deadline of agent %s (%llu ms): SIGUSR1 sent to its main process %d", e->name,
                         (unsigned long long) (e->soft_usec / 1000), (int) pid);
                d->soft_deadlines_total++;
                e->sent = true;
        } else if (r != -ESRCH) /* -ESRCH: the main process exited meanwhile, the run is ending */
                log_warning("Soft deadline of agent %s: cannot signal %d: %s", e->name, (int) pid, strerror(-r));
        drop(d);
}

/* When entry 0's SIGUSR1 is due (CLOCK_MONOTONIC): soft + margin after the
 * launcher's mark (SOFT_DEADLINE_STARTED), forked being its main process's
 * fork + margin. Without a mark yet: the fork's deadline (none can come
 * sooner), after it 0: look again soon, the launcher has not begun. A mark
 * older than the fork is another run's; with none a minute past the fork's
 * deadline (the launcher could not write it), the fork counts. */
static uint64_t started_due(Daemon *d, const DeadlineEntry *e, uint64_t forked, uint64_t now_mono) {
        uint64_t real, now_real = now_usec(CLOCK_REALTIME);

        if (soft_deadline_started_read(d->rundir, e->name, &real) >= 0 && real <= now_real &&
            now_real - real <= now_mono) {
                uint64_t mark = now_mono - (now_real - real);
                if (mark + 1000000 >= forked) /* a tick's rounding and the margin */
                        return mark + e->soft_usec + DEADLINE_MARGIN_USEC;
        }
        /* Before it, no mark can make it sooner; a minute after, none will come. */
        uint64_t by_fork = forked + e->soft_usec;
        return now_mono < by_fork || now_mono >= by_fork + 60ULL * 1000 * 1000 ? by_fork : 0;
}

/* Entry 0, due: see the top of the file. */
static void look(Daemon *d) {
        DeadlineEntry *e = &d->deadlines.items[0];
        _cleanup_(freep) char *unit = agent_unit_from_name(e->name);
        _cleanup_(freep) char *dir = unit ? str_printf("%s/%s", d->slice_dir, unit) : NULL;
        struct stat st;
        uint64_t ticks;
        pid_t pid;
        int r;

        if (!dir) {
                later(d, RETRY_USEC);
                return;
        }
        if (stat(dir, &st) < 0 || (uint64_t) st.st_ino != e->cgroup_id) {
                drop(d);
                return;
        }
        if (e->sent) {
                later(d, SENT_POLL_USEC);
                return;
        }
        r = cgroup_first_started(d->proc_root, dir, &pid, &ticks);
        if (r < 0) {
                /* Empty but there: between the prepare step's exit and the
                 * main process's fork (PID 1 may be slow in a start storm),
                 * or just stopped; its removal then drops the entry. */
                if (r == -ESRCH || r == -ENOMEM)
                        later(d, RETRY_USEC);
                else {
                        if (r != -ENOENT && r != -ENODEV) /* not just removed meanwhile */
                                log_warning("Soft deadline of agent %s: cannot read %s/cgroup.procs: %s", e->name, dir,
                                            strerror(-r));
                        drop(d);
                }
                return;
        }

        long hz = sysconf(_SC_CLK_TCK);
        uint64_t now_mono = now_usec(CLOCK_MONOTONIC), now_boot = now_usec(CLOCK_BOOTTIME);
        uint64_t boot = deadline_from_start(ticks, hz > 0 ? (uint64_t) hz : 100, 0);
        uint64_t forked = boot <= now_boot ? (now_boot - boot <= now_mono ? now_mono - (now_boot - boot) : 0)
                                           : deadline_boot_to_monotonic(boot, now_boot, now_mono);
        uint64_t due = started_due(d, e, forked, now_mono);
        if (due == 0)
                later(d, RETRY_USEC);
        else if (due > now_mono)
                deadline_heap_set_due(&d->deadlines, 0, due);
        else
                signal_main(d, unit, pid);
}

void deadline_due(Daemon *d) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        /* Each look removes entry 0 or moves it past now: the loop ends. */
        while (d->deadlines.n > 0 && d->deadlines.items[0].due_usec <= now)
                look(d);
}

void deadline_done(Daemon *d) {
        deadline_heap_free(&d->deadlines);
        if (d->deadline_dir && d->deadline_dir_fd >= 0)
                close(d->deadline_dir_fd);
        d->deadline_dir_fd = -EBADF;
        free(d->deadline_dir);
        d->deadline_dir = NULL;
}
