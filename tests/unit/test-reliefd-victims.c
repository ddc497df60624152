/* nova-reliefd's victims (victims.c) on a fixture slice: what counts as
 * memory about to be freed, what a restarted daemon kills again, and that
 * the soft pressure hint comes after the kills of the same look, and that
 * the metrics file is written without fsync (a MetricsFile= on a slow disk
 * stalled the loop).
 * cgroup.kill is a plain file here: the test sees whether it was written.
 * Before: a victim whose cgroup.kill failed still counted as freeing its
 * memory for 10 s (relief paused), and a restarted daemon wrote cgroup.kill
 * of every populated name in relief-inflight, a new instance of that agent
 * included; the hint (SIGUSR2 to every agent, seconds at 500 agents of 512
 * tasks) ran before relief in the look that closed admission. The kernel
 * side is for the VM tests (reliefd-storm). */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The hint's SIGUSR2 reaches this process (listed in the victim's
 * cgroup.procs): was the victim's cgroup.kill written by then? */
static const char *hint_kill_file;
static volatile sig_atomic_t hint_seen = -1;

static void on_hint(int sig) {
        char c = 0;
        int fd = open(hint_kill_file, O_RDONLY | O_CLOEXEC);

        if (fd >= 0) {
                if (read(fd, &c, 1) < 0)
                        c = 0;
                close(fd);
        }
        hint_seen = c == '1';
}

static void test_hint_after_relief(const char *tmp) {
        _cleanup_(freep) char *proc = str_printf("%s/proc", tmp);
        _cleanup_(freep) char *slice = str_printf("%s/slice2", tmp);
        _cleanup_(freep) char *agent = str_printf("%s/nova-agent@hog.service", slice);
        _cleanup_(freep) char *kill = str_printf("%s/cgroup.kill", agent);
        _cleanup_(freep) char *pid = str_printf("%d", (int) getpid());
        _cleanup_(freep) char *piddir = str_printf("%s/%d", proc, (int) getpid());
        Daemon d = { .proc_root = proc, .slice_dir = slice, .rundir = tmp, .confdir = tmp };
        uint64_t sleep;

        if (!proc || !slice || !agent || !kill || !pid || !piddir || mkdir(proc, 0755) < 0 || mkdir(slice, 0755) < 0 ||
            mkdir(agent, 0755) < 0 || mkdir(piddir, 0755) < 0)
                bail_out("cannot prepare the hint fixtures");
        /* 97 % used, the agent holds 900 MiB of it: admission closes and relief is due in one look. */
        const char *meminfo = "MemTotal:        1048576 kB\nMemFree:           20000 kB\nMemAvailable:      31457 kB\n";
        const char *files[][2] = {
                { "meminfo", meminfo }, { "slice2/nova-agent@hog.service/memory.current", "943718400\n" },
                { "slice2/nova-agent@hog.service/pids.current", "1\n" },
                { "slice2/nova-agent@hog.service/cgroup.events", "populated 1\nfrozen 0\n" },
                { "slice2/nova-agent@hog.service/cgroup.kill", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_(freep) char *path = str_printf("%s/%s", i == 0 ? proc : tmp, files[i][0]);
                if (!path || test_write_file(path, files[i][1], strlen(files[i][1])) < 0)
                        bail_out("cannot write a hint fixture");
        }
        _cleanup_(freep) char *procs = str_printf("%s/cgroup.procs", agent);
        _cleanup_(freep) char *procs_text = str_printf("%d\n", (int) getpid());
        _cleanup_(freep) char *cg = str_printf("%s/cgroup", piddir);
        _cleanup_(freep) char *stat = str_printf("%s/stat", piddir);
        _cleanup_(freep) char *stat_text = str_printf("%d (test) S 1 1 1 0 -1\n", (int) getpid());
        if (!procs || !procs_text || !stat || !stat_text ||
            test_write_file(procs, procs_text, strlen(procs_text)) < 0 ||
            test_write_file(stat, stat_text, strlen(stat_text)) < 0)
                bail_out("cannot write the hint's process fixtures");

        relief_config_defaults(&d.config);
        d.config.soft_hint = true;
        hint_kill_file = kill;
        signal(SIGUSR2, on_hint);
        /* First our PID names another cgroup: as if the agent's process had
         * exited and its PID gone to someone else after cgroup.procs was read. */
        const char *elsewhere = "0::/system.slice/ssh.service\n";
        if (!cg || test_write_file(cg, elsewhere, strlen(elsewhere)) < 0)
                bail_out("cannot write the hint's cgroup fixture");
        is_int(monitor_tick(&d, &sleep), 0, "one look at 97 %% used with the soft hint on");
        is_int(d.n_victims, 1, "relief killed the agent in that look");
        is_int(hint_seen, -1, "a PID listed by the agent but now another unit's gets no SIGUSR2");

        victims_free(&d);
        relief_config_done(&d.config);
        d = (Daemon) { .proc_root = proc, .slice_dir = slice, .rundir = tmp, .confdir = tmp };
        relief_config_defaults(&d.config);
        d.config.soft_hint = true;
        const char *mine = "0::/nova.slice/nova-agents.slice/nova-agent@hog.service\n";
        if (test_write_file(cg, mine, strlen(mine)) < 0 || test_write_file(kill, "", 0) < 0)
                bail_out("cannot rewrite the hint fixtures");
        is_int(monitor_tick(&d, &sleep), 0, "the same look again, the PID the agent's");
        is_int(d.n_victims, 1, "relief killed the agent in that look");
        is_int(hint_seen, 1, "the soft hint was sent after the kill, not before it");
        signal(SIGUSR2, SIG_DFL);
        victims_free(&d);
        relief_config_done(&d.config);
}

/* Every fsync(2) of this process, the daemon's code included, comes here
 * (the test's own definition wins over libc's at link time). */
static unsigned fsyncs;
int fsync(int fd) {
        fsyncs++;
        return fd >= 0 ? 0 : -1;
}

static void test_metrics_no_fsync(const char *tmp) {
        _cleanup_(freep) char *metrics = str_printf("%s/slow-disk.prom", tmp);
        Daemon d = { .slice_dir = tmp, .rundir = tmp, .confdir = tmp, .proc_root = tmp };
        _cleanup_(freep) char *text = NULL;

        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;
        fsyncs = 0;
        is_int(metrics_write(&d, true), 0, "the metrics file is written");
        ok(read_file_full(metrics, 65536, &text, NULL) >= 0 &&
                   strstr(text, "nova_reliefd_wakeups_total{source=\"inotify\"} 0\n"),
           "whole, by rename");
        is_int(fsyncs, 0, "without an fsync (a slow disk cannot stall the look)");
        fsyncs = 0;
        is_int(admission_publish(&d, 50.0, "test"), 0, "the admission file is written");
        ok(fsyncs > 0, "the admission file is still fsynced (%u)", fsyncs);
        d.config.metrics_file = NULL;
        relief_config_done(&d.config);
}

/* Which agents are victims in flight: by name, each victim looked up in the
 * sorted agents (it was a scan of every victim per agent: 5 million string
 * comparisons a look at 5,000 agents and 1,000 victims). */
static void test_flag_agents(void) {
        Agent agents[5] = {};
        Victim victims[3] = {};
        Daemon d = { .agents = agents, .n_agents = 5, .victims = victims, .n_victims = 3 };
        const char *names[] = { "a.service", "b.service", "c.service", "d.service", "e.service" };

        for (size_t i = 0; i < 5; i++) {
                snprintf(agents[i].name, sizeof(agents[i].name), "%s", names[i]);
                agents[i].in_flight = i == 1; /* stale from an earlier look */
        }
        snprintf(victims[0].name, sizeof(victims[0].name), "e.service");
        snprintf(victims[1].name, sizeof(victims[1].name), "a.service");
        snprintf(victims[2].name, sizeof(victims[2].name), "gone.service");
        victims_flag_agents(&d);
        char got[8] = "";
        for (size_t i = 0; i < 5; i++)
                got[i] = agents[i].in_flight ? 'v' : '-';
        is_str(got, "v---v", "a and e flagged, b's stale flag cleared, a victim not among the agents ignored");
        d.n_victims = 0;
        victims_flag_agents(&d);
        for (size_t i = 0; i < 5; i++)
                got[i] = agents[i].in_flight ? 'v' : '-';
        is_str(got, "-----", "no victims: none flagged");
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
        test_hint_after_relief(tmp);
        test_metrics_no_fsync(tmp);
        test_flag_agents();
        test_rm_rf(tmp);
        return done_testing();
}
