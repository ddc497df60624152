/* The shared job wait (helpers/shared/bus-wait-jobs.c) against a stand-in for
 * PID 1's Manager on a private `dbus-daemon --session`: StartUnit/StopUnit
 * reply with a job path and emit JobRemoved whose result is the unit's name
 * ("failed.service" ends "failed"). What systemd itself does with jobs is
 * for the VM tests; this is the wait's logic: one errno per result, the
 * skipped flag, our own deadline, a JobRemoved that comes before the reply,
 * and a signal in the middle of the wait.
 *
 * Against the two copies this replaced: "skipped" was success in novactl and
 * -EIO in nova-setup-host (now a flag, each tool keeping its meaning), and
 * the EINTR case fails on setup-bus.c's loop, which gave up with -EINTR on a
 * job still running in systemd. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-wait-jobs.h"
#include "test-util.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define WAIT_USEC (30ULL * 1000 * 1000) /* never reached: each job ends or is "hang" */

/* The stand-in's one job held back until SIGUSR1 ("eintr.service"). */
static struct {
        char path[64], unit[64];
        uint32_t id;
        bool usr1_seen;
} held;

static int emit_removed(sd_bus *bus, uint32_t id, const char *path, const char *unit) {
        char result[64];

        snprintf(result, sizeof result, "%s", str_has_prefix(unit, "early-") ? unit + 6 : unit);
        *strchrnul(result, '.') = '\0';
        if (strcmp(result, "eintr") == 0)
                strcpy(result, "done");
        return sd_bus_emit_signal(bus, MANAGER_PATH, MANAGER_IFACE, "JobRemoved", "uoss", id, path, unit, result);
}

static int method_job(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        static uint32_t id;
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *unit, *mode;
        char path[64];
        int r;

        r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        snprintf(path, sizeof path, MANAGER_PATH "/job/%u", ++id);
        /* "early-": the job ends before the caller has the reply naming it. */
        if (str_has_prefix(unit, "early-") && (r = emit_removed(bus, id, path, unit)) < 0)
                return r;
        r = sd_bus_reply_method_return(m, "o", path);
        if (r < 0 || str_has_prefix(unit, "early-") || strcmp(unit, "hang.service") == 0)
                return r;
        if (strcmp(unit, "eintr.service") == 0 && !held.usr1_seen) {
                snprintf(held.path, sizeof held.path, "%s", path);
                snprintf(held.unit, sizeof held.unit, "%s", unit);
                held.id = id;
                return 0;
        }
        return emit_removed(bus, id, path, unit);
}

static int on_usr1(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        held.usr1_seen = true;
        return held.id ? emit_removed(userdata, held.id, held.path, held.unit) : 0;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartUnit", "ss", "o", method_job, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", method_job, 0),
        SD_BUS_SIGNAL("JobRemoved", "uoss", 0),
        SD_BUS_VTABLE_END,
};

static sd_bus *bus_at(const char *address) {
        sd_bus *bus = NULL;

        if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 || sd_bus_set_bus_client(bus, 1) < 0 ||
            sd_bus_start(bus) < 0)
                bail_out("cannot connect to the private bus");
        return bus;
}

/* The child: owns the name, serves until SIGTERM. Writes one byte to ready_fd once it does. */
static _noreturn_ void serve(const char *address, int ready_fd) {
        sd_event *e = NULL;
        sd_bus *bus = bus_at(address);
        sigset_t ss;

        sigemptyset(&ss);
        sigaddset(&ss, SIGUSR1);
        sigaddset(&ss, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0 || sd_event_default(&e) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, MANAGER_PATH, MANAGER_IFACE, manager_vtable, NULL) < 0 ||
            sd_bus_request_name(bus, DEST, 0) < 0 || sd_bus_attach_event(bus, e, 0) < 0 ||
            sd_event_add_signal(e, NULL, SIGUSR1, on_usr1, bus) < 0 || sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL) < 0)
                _exit(EXIT_FAILURE);
        if (write(ready_fd, "", 1) != 1)
                _exit(EXIT_FAILURE);
        close(ready_fd);
        _exit(sd_event_loop(e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static pid_t spawn_daemon(const char *dir, char *address, size_t size) {
        int fds[2];
        pid_t pid;

        if (pipe(fds) < 0 || (pid = fork()) < 0)
                bail_out("cannot fork");
        if (pid == 0) {
                char listen[4096], print[32];
                snprintf(listen, sizeof listen, "--address=unix:path=%s/bus", dir);
                snprintf(print, sizeof print, "--print-address=%d", fds[1]);
                close(fds[0]);
                execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile", listen, print,
                       (char *) NULL);
                _exit(127);
        }
        close(fds[1]);
        ssize_t n = read(fds[0], address, size - 1);
        close(fds[0]);
        if (n <= 0)
                bail_out("dbus-daemon printed no address");
        address[n] = '\0';
        address[strcspn(address, "\n")] = '\0';
        return pid;
}

static pid_t spawn_server(const char *address) {
        int fds[2];
        char c;
        pid_t pid;

        if (pipe(fds) < 0 || (pid = fork()) < 0)
                bail_out("cannot fork");
        if (pid == 0) {
                close(fds[0]);
                serve(address, fds[1]);
        }
        close(fds[1]);
        if (read(fds[0], &c, 1) != 1)
                bail_out("the stand-in for systemd did not start");
        close(fds[0]);
        return pid;
}

/* One job of unit through the whole wait, as the tools use it. */
static int one_job(sd_bus *bus, BusWaitJobsFlags flags, const char *method, const char *unit, uint64_t timeout) {
        _cleanup_(bus_wait_jobs_freep) BusWaitJobs *w = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = bus_wait_jobs_new(bus, flags, &w);
        if (r >= 0)
                r = bus_wait_jobs_enqueue(w, method, unit, &e);
        sd_bus_error_free(&e);
        return r < 0 ? r : bus_wait_jobs_all(w, timeout);
}

static void test_results(sd_bus *bus) {
        static const struct {
                const char *unit;
                BusWaitJobsFlags flags;
                int r;
        } cases[] = {
                { "done.service", 0, 0 },
                { "skipped.service", 0, -EALREADY },
                { "skipped.service", BUS_WAIT_JOBS_SKIPPED_OK, 0 },
                { "canceled.service", 0, -ECANCELED },
                { "failed.service", BUS_WAIT_JOBS_SKIPPED_OK, -EIO },
                { "timeout.service", 0, -ETIME },
                { "dependency.service", 0, -ENOLINK },
                { "invalid.service", 0, -ENOEXEC },
                { "bogus.service", 0, -EBADMSG },
                { "early-done.service", 0, 0 },
                { "early-failed.service", 0, -EIO },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_int(one_job(bus, cases[i].flags, "StartUnit", cases[i].unit, WAIT_USEC), cases[i].r, "%s%s",
                       cases[i].unit, cases[i].flags ? " (skipped is ok)" : "");
        is_int(one_job(bus, 0, "StopUnit", "done.service", WAIT_USEC), 0, "a stop job like a start job");
        /* Our own deadline, not the job's "timeout": the job goes on in systemd. */
        is_int(one_job(bus, 0, "StartUnit", "hang.service", 200 * 1000), -ETIMEDOUT, "a job still running at the deadline");
}

static volatile sig_atomic_t alarms;
static pid_t server_pid;

static void on_alarm(int sig) {
        alarms++;
        kill(server_pid, SIGUSR1); /* only now does the held job end */
}

static void test_eintr(sd_bus *bus) {
        struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: poll() returns EINTR */
        struct itimerval it = { .it_value = { .tv_usec = 200 * 1000 } };

        if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &it, NULL) < 0)
                bail_out("cannot arm the timer");
        is_int(one_job(bus, 0, "StartUnit", "eintr.service", WAIT_USEC), 0,
               "a signal during the wait: it goes on waiting for the job");
        is_int(alarms, 1, "the signal came while the job was held");
}

static void test_several(sd_bus *bus) {
        _cleanup_(bus_wait_jobs_freep) BusWaitJobs *w = NULL;
        const char *units[] = { "done.service", "hang.service", "canceled.service", "failed.service" };

        if (bus_wait_jobs_new(bus, 0, &w) < 0)
                bail_out("cannot watch for jobs");
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (bus_wait_jobs_enqueue(w, "StartUnit", units[i], NULL) < 0)
                        bail_out("StartUnit failed");
        is_int(bus_wait_jobs_some(w, 1, UINT64_MAX), 0, "several jobs: wait until one runs");
        is_int(bus_wait_jobs_running(w), 1, "several jobs: the one that hangs runs");
        is_int(bus_wait_jobs_first_error(w), -ECANCELED, "several jobs: the first error, a running one not counted");
        is_int(bus_wait_jobs_result(w, 0), -ETIMEDOUT, "several jobs: the verdict stops at the running one");
}

static void test_log(sd_bus *bus) {
        _cleanup_(freep) char *dir = test_mkdtemp();
        _cleanup_(freep) char *file = str_printf("%s/stderr", dir);
        char buf[512] = "";
        int saved = dup(STDERR_FILENO), fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);

        if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
                bail_out("cannot redirect stderr");
        int r = one_job(bus, BUS_WAIT_JOBS_LOG_ERROR, "StartUnit", "failed.service", WAIT_USEC);
        int r2 = one_job(bus, BUS_WAIT_JOBS_LOG_ERROR | BUS_WAIT_JOBS_SKIPPED_OK, "StartUnit", "skipped.service", WAIT_USEC);
        dup2(saved, STDERR_FILENO);
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        is_int(r, -EIO, "logged: the errno all the same");
        is_int(r2, 0, "logged: a skipped job that is ok");
        ok(strstr(buf, "job for failed.service failed. See \"systemctl status failed.service\"") &&
                   !strstr(buf, "skipped.service") && strchr(buf, '\n') == buf + strlen(buf) - 1,
           "logged: one line for the failed job, none for the skipped one");
        close(fd);
        test_rm_rf(dir);
}

static void test_names(void) {
        const char *words[] = { "done", "skipped", "canceled", "timeout", "failed", "dependency", "invalid",
                                "assert", "unsupported", "collected", "once", "frozen", "concurrency" };
        bool all = true;

        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                int r = bus_job_result_to_errno(words[i]);
                const char *back = bus_job_result_from_errno(r);
                all = all && (i == 0) == (r == 0) && back && strcmp(back, words[i]) == 0;
                for (size_t j = 0; j < i; j++)
                        all = all && bus_job_result_to_errno(words[j]) != r;
        }
        ok(all, "each job result is one errno of its own, and back");
        is_str(bus_job_result_from_errno(-ETIMEDOUT), "running", "-ETIMEDOUT: still running");
        is_str(bus_job_result_from_errno(-ENOMEM), NULL, "-ENOMEM is no job result");
}

int main(void) {
        char address[4096];

        test_names();
        if (system("command -v dbus-daemon >/dev/null 2>&1") != 0) {
                skip("no dbus-daemon here for the bus cases");
                return done_testing();
        }
        _cleanup_(freep) char *dir = test_mkdtemp();
        pid_t daemon = spawn_daemon(dir, address, sizeof address);
        server_pid = spawn_server(address);
        sd_bus *bus = bus_at(address);

        test_results(bus);
        test_several(bus);
        test_log(bus);
        test_eintr(bus);

        sd_bus_flush_close_unref(bus);
        kill(server_pid, SIGTERM);
        kill(daemon, SIGTERM);
        waitpid(server_pid, NULL, 0);
        waitpid(daemon, NULL, 0);
        test_rm_rf(dir);
        return done_testing();
}
