/* nova-reliefd's event flow (events.c) on fixture roots: a wakeup reaps,
 * looks and arms the timer again; one that cannot read meminfo ends the
 * loop with RELIEFD_EXIT_HOST and says so once, at error priority, whatever
 * woke it. Before events.c, the wakeup by a victim's cgroup.events swallowed
 * that error (victims.c: `monitor_tick(d) < 0 ? 0 : 0`), left the timer
 * unarmed and the daemon running blind; its lines on stderr carried no
 * priority. The kernel side (PSI, cgroup.events, cgroup.kill) is for the VM
 * tests (reliefd-admission, reliefd-storm). */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file-util.h"
#include "log.h"
#include "reliefd.h"
#include "test-util.h"

static char *stderr_to(const char *dir, int *saved) {
        char *file = str_printf("%s/stderr", dir);
        int fd = file ? open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;

        fflush(stderr);
        *saved = dup(STDERR_FILENO);
        if (fd < 0 || *saved < 0 || dup2(fd, STDERR_FILENO) < 0)
                bail_out("cannot redirect stderr");
        close(fd);
        return file;
}

static char *stderr_back(const char *file, int saved) {
        char *text = NULL;

        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        if (read_file_full(file, 65536, &text, NULL) < 0)
                bail_out("cannot read the captured stderr");
        return text;
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();
        _cleanup_(freep) char *proc = test_data_path("meminfo/debian12-6.1");
        _cleanup_(freep) char *slice = str_printf("%s/no-slice", tmp);
        _cleanup_(freep) char *metrics = str_printf("%s/metrics.prom", tmp);
        _cleanup_(freep) char *empty = str_printf("%s/empty-proc", tmp);
        Daemon d = { .proc_root = proc, .slice_dir = slice, .rundir = tmp, .confdir = tmp };
        int code = -1, enabled = -1, saved;

        if (!slice || !metrics || !empty || mkdir(empty, 0755) < 0)
                bail_out("cannot prepare the fixtures");
        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;

        is_int(events_setup(&d), 0, "the event loop is set up on fixture roots");
        is_int(events_first_look(&d), RELIEFD_EXIT_OK, "the first look goes on");
        is_int(d.looks_total, 1, "the first look is a look like any other");
        is_int(d.wakeups[WAKEUP_TIMER], 1, "it stands for the timer set up at 0");
        ok(sd_event_source_get_enabled(d.timer, &enabled) >= 0 && enabled == SD_EVENT_ONESHOT,
           "after a look the timer is armed again");
        ok(sd_event_get_exit_code(d.event, &code) == -ENODATA, "nothing asked the loop to end");

        /* A victim in flight whose cgroup is gone, and a meminfo that cannot be read. */
        d.victims = calloc(1, sizeof(Victim));
        if (!d.victims)
                bail_out("out of memory");
        d.victims[0] = (Victim) { .name = "gone.service", .bytes = 1 << 20, .rank = 1,
                                  .killed_usec = now_usec(CLOCK_MONOTONIC) };
        d.n_victims = 1;
        d.proc_root = empty;
        log_set_target(LOG_TARGET_JOURNAL);
        _cleanup_(freep) char *file = stderr_to(tmp, &saved);
        int r = events_wakeup(&d, WAKEUP_VICTIM);
        _cleanup_(freep) char *text = stderr_back(file, saved);

        ok(r >= 0, "the wakeup itself returns normally (%d)", r);
        ok(sd_event_get_exit_code(d.event, &code) >= 0 && code == RELIEFD_EXIT_HOST,
           "an unreadable meminfo ends the loop with RELIEFD_EXIT_HOST (%d)", code);
        is_int(d.n_victims, 0, "the victim whose cgroup is gone was reaped first");
        is_int(d.looks_total, 2, "one look counted");
        is_int(d.wakeups[WAKEUP_VICTIM], 1, "one wakeup counted, by its source");
        _cleanup_(freep) char *want = str_printf("<3>cannot read %s/meminfo: %s\n", empty, strerror(ENOENT));
        is_str(text, want, "one line, at error priority for the journal");

        d.config.metrics_file = NULL;
        events_done(&d);
        free(d.agents);
        relief_config_done(&d.config);
        test_rm_rf(tmp);
        return done_testing();
}
