/* nova-reliefd's victims (victims.c) on a fixture slice: what counts as
 * memory about to be freed, and what a restarted daemon kills again.
 * cgroup.kill is a plain file here: the test sees whether it was written.
 * Before: a victim whose cgroup.kill failed still counted as freeing its
 * memory for 10 s (relief paused), and a restarted daemon wrote cgroup.kill
 * of every populated name in relief-inflight, a new instance of that agent
 * included. The kernel side is for the VM tests (reliefd-storm). */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "file-util.h"
#include "reliefd.h"
#include "test-util.h"

static void agent_dir(const char *slice, const char *name, bool killable) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", slice, name);
        _cleanup_(freep) char *events = str_printf("%s/cgroup.events", dir);
        _cleanup_(freep) char *kill = str_printf("%s/cgroup.kill", dir);

        if (!dir || !events || !kill || mkdir(dir, 0755) < 0 ||
            test_write_file(events, "populated 1\nfrozen 0\n", 21) < 0 ||
            (killable && test_write_file(kill, "", 0) < 0))
                bail_out("cannot make a fixture cgroup");
}

static char *read_kill(const char *slice, const char *name) {
        _cleanup_(freep) char *kill = str_printf("%s/%s/cgroup.kill", slice, name);
        char *text = NULL;

        if (!kill || read_file_full(kill, 64, &text, NULL) < 0)
                return NULL;
        return text;
}

static uint64_t ino(const char *slice, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", slice, name);
        struct stat st;

        if (!dir || stat(dir, &st) < 0)
                bail_out("cannot stat a fixture cgroup");
        return st.st_ino;
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();
        _cleanup_(freep) char *slice = str_printf("%s/slice", tmp);
        _cleanup_(freep) char *metrics = str_printf("%s/metrics.prom", tmp);
        _cleanup_(freep) char *inflight = str_printf("%s/relief-inflight", tmp);
        Daemon d = { .slice_dir = slice, .rundir = tmp, .confdir = tmp, .proc_root = tmp };

        if (!slice || !metrics || !inflight || mkdir(slice, 0755) < 0)
                bail_out("cannot prepare the fixtures");
        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;
        agent_dir(slice, "stuck.service", false);
        agent_dir(slice, "big.service", true);

        /* A kill that fails frees nothing: relief must not wait for it. */
        ReliefCandidate c[] = { { "stuck.service", 300ULL << 20, true }, { "big.service", 200ULL << 20, true } };
        size_t order[] = { 0, 1 };
        ReliefPlan plan = { .victims = order, .n_victims = 2 };
        is_int(victims_kill(&d, &plan, c), 0, "two victims chosen, one without cgroup.kill");
        is_int(d.kills_total, 1, "one kill succeeded");
        _cleanup_(freep) char *k = read_kill(slice, "big.service");
        is_str(k, "1", "big's cgroup.kill was written");
        is_int(victims_in_flight_bytes(&d), 200ULL << 20,
               "only the killed victim's memory counts as about to be freed");
        victims_free(&d);

        /* A restart: relief-inflight names big (this instance) and new (an instance
         * started after the kill while the daemon was down: another cgroup id). */
        agent_dir(slice, "new.service", true);
        agent_dir(slice, "old-format.service", true);
        _cleanup_(freep) char *text = str_printf("big.service %llu 1 %llu\nnew.service 1048576 2 %llu\n"
                                                 "old-format.service 1048576 3\n",
                                                 200ULL << 20, (unsigned long long) ino(slice, "big.service"),
                                                 (unsigned long long) ino(slice, "new.service") + 1);
        _cleanup_(freep) char *bigkill = str_printf("%s/big.service/cgroup.kill", slice);
        if (!text || test_write_file(inflight, text, strlen(text)) < 0 || test_write_file(bigkill, "", 0) < 0)
                bail_out("cannot write relief-inflight");
        is_int(victims_restore(&d), 0, "relief-inflight restored");
        _cleanup_(freep) char *k1 = read_kill(slice, "big.service");
        _cleanup_(freep) char *k2 = read_kill(slice, "new.service");
        _cleanup_(freep) char *k3 = read_kill(slice, "old-format.service");
        is_str(k1, "1", "the same cgroup is killed again");
        is_str(k2, "", "a new instance of a victim's name is not killed");
        is_str(k3, "", "an entry without its cgroup id is not killed");
        ok(d.n_victims == 1 && strcmp(d.victims[0].name, "big.service") == 0,
           "only the same cgroup stays in flight (%zu)", d.n_victims);

        d.config.metrics_file = NULL;
        victims_free(&d);
        relief_config_done(&d.config);
        test_rm_rf(tmp);
        return done_testing();
}
