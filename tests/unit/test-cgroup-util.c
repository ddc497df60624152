/* cgroup_self_path() on the /proc fixtures in tests/data/proc/; the main
 * process by start time and the signal through a pidfd on fixtures made
 * here. */

#include <signal.h>
#include <string.h>

#include "cgroup-util.h"
#include "test-util.h"

static const struct {
        const char *root;
        pid_t pid;
        int r;
        const char *path;
        const char *why;
} cases[] = {
        { "v2", 0, 0, "/nova.slice/nova-agents.slice/nova-agent@agent-001.service", "cgroup v2, self" },
        { "v2", 4242, 0, "/user.slice/user-1000.slice/session-3.scope", "cgroup v2, a pid" },
        { "hybrid", 0, 0, "/system.slice/nova-agent@agent-002.service", "hybrid: the 0:: line among v1 lines" },
        { "root", 0, 0, "/", "the root cgroup" },
        { "v1", 0, -ENOMEDIUM, NULL, "pure cgroup v1: no 0:: line" },
        { "deleted", 0, -EIDRM, NULL, "a removed cgroup" },
        { "malformed", 0, -EBADMSG, NULL, "a relative path" },
        { "v2", 4243, -ENOENT, NULL, "no such process" },
        { "v2", -1, -EINVAL, NULL, "a negative pid" },
};

static void test_fixtures(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *rel = str_printf("proc/%s", cases[i].root);
                _cleanup_(freep) char *root = rel ? test_data_path(rel) : NULL;
                char *path = NULL;

                if (!root)
                        bail_out("out of memory");
                int r = cgroup_self_path(root, cases[i].pid, &path);
                is_int(r, cases[i].r, "%s: result", cases[i].why);
                is_str(path, cases[i].path, "%s: path", cases[i].why);
                free(path);
        }
}

/* The host's own answer is not known in advance, only its shape. */
static void test_host(void) {
        _cleanup_(freep) char *path = NULL;
        const char *mountpoint = NULL;

        int r = cgroup_self_path(NULL, 0, &path);
        ok((r == 0 && path && path[0] == '/') || (r == -ENOMEDIUM && !path),
           "this host: a path starting with '/', or none (%d)", r);

        r = cgroup_unified_mountpoint(&mountpoint);
        ok((r == 0 && (strcmp(mountpoint, "/sys/fs/cgroup") == 0 ||
                       strcmp(mountpoint, "/sys/fs/cgroup/unified") == 0)) ||
                   (r == -ENOMEDIUM && !mountpoint),
           "this host: v2 mounted at one of the two places, or not at all (%d)", r);
}

/* The agent's tree, listed child first: 1001 bash (parent PID 1) -> 1002 make -> 1003 with
 * ')' in its name; 1004 re-parented itself to PID 1; 1005 has exited
 * (no stat); 1006's name mimics a stat line with parent 1. */
static void test_top_level(void) {
        _cleanup_(freep) char *proc = test_data_path("proc/tree");
        _cleanup_(freep) char *agent = test_data_path("cgroup/procs-agent");
        _cleanup_(freep) char *empty = test_data_path("cgroup/procs-empty");
        _cleanup_(freep) char *missing = test_data_path("cgroup/no-such-unit");
        pid_t *pids = NULL;
        size_t n = 99;

        if (!proc || !agent || !empty || !missing)
                bail_out("out of memory");
        int r = cgroup_top_level_pids(proc, agent, &pids, &n);
        is_int(r, 0, "top-level pids of an agent: result");
        is_int((int) n, 2, "two top-level processes: the main one and the re-parented one");
        ok(n == 2 && pids[0] == 1001 && pids[1] == 1004, "they are 1001 and 1004 (1003, whose parent is listed before 1001, is not)");
        free(pids);

        r = cgroup_top_level_pids(proc, empty, &pids, &n);
        ok(r == 0 && n == 0 && !pids, "an empty cgroup: none, NULL");
        is_int(cgroup_top_level_pids(proc, missing, &pids, &n), -ENOENT, "a removed cgroup: -ENOENT");
}

static void stat_fixture(const char *proc, int pid, const char *comm, unsigned long long start) {
        _cleanup_(freep) char *dir = str_printf("%s/%d", proc, pid), *fn = str_printf("%s/%d/stat", proc, pid);
        _cleanup_(freep) char *line = str_printf("%d (%s) S 1 %d %d 0 -1 4194560 312 0 0 0 1 0 0 0 20 0 1 0 %llu "
                                                 "8704000 812 18446744073709551615 1 1 0 0\n",
                                                 pid, comm, pid, pid, start);

        if (!dir || !fn || !line || mkdir(dir, 0755) < 0 || test_write_file(fn, line, strlen(line)) < 0)
                bail_out("cannot write a stat fixture");
}

/* The main process of a service is the first started of its cgroup: 2002
 * and 2003 started in the same tick, before 2001 (listed first); 2004 has
 * exited (no stat). */
static void test_first_started(const char *tmp) {
        _cleanup_(freep) char *proc = str_printf("%s/proc", tmp), *cg = str_printf("%s/cg", tmp);
        _cleanup_(freep) char *procs = str_printf("%s/cg/cgroup.procs", tmp), *empty = str_printf("%s/empty", tmp);
        _cleanup_(freep) char *empty_procs = str_printf("%s/empty/cgroup.procs", tmp);
        uint64_t ticks = 0;
        pid_t pid = 0;

        if (!proc || !cg || !procs || !empty || !empty_procs || mkdir(proc, 0755) < 0 || mkdir(cg, 0755) < 0 ||
            mkdir(empty, 0755) < 0 || test_write_file(procs, "2001\n2004\n2003\n2002\n", 20) < 0 ||
            test_write_file(empty_procs, "", 0) < 0)
                bail_out("cannot write the fixtures");
        stat_fixture(proc, 2001, "sleep", 500);
        stat_fixture(proc, 2002, "a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 1", 400);
        stat_fixture(proc, 2003, "make", 400);

        is_int(proc_start_ticks(proc, 2001, &ticks), 0, "start time: read");
        is_int((long long) ticks, 500, "start time: field 22");
        is_int(proc_start_ticks(proc, 2002, &ticks), 0, "start time behind a name that mimics a stat line");
        is_int((long long) ticks, 400, "start time: counted from the last ')'");
        is_int(proc_start_ticks(proc, 2004, &ticks), -ENOENT, "start time of an exited process: -ENOENT");

        is_int(cgroup_first_started(proc, cg, &pid, &ticks), 0, "first started: found");
        ok(pid == 2002 && ticks == 400, "first started: 2002 at tick 400 (the lower pid of a tie), not the first listed");
        is_int(cgroup_first_started(proc, empty, &pid, &ticks), -ESRCH, "an empty cgroup: -ESRCH");
        _cleanup_(freep) char *gone = str_printf("%s/gone", tmp);
        is_int(cgroup_first_started(proc, gone, &pid, &ticks), -ENOENT, "a removed cgroup: -ENOENT");
}

/* Our own process, with a fixture /proc/PID/cgroup: signal 0 reaches it
 * while the path names the unit, and not when it names another. */
static void test_signal(const char *tmp) {
        _cleanup_(freep) char *proc = str_printf("%s/sigproc", tmp), *dir = str_printf("%s/sigproc/%d", tmp, (int) getpid());
        _cleanup_(freep) char *fn = str_printf("%s/sigproc/%d/cgroup", tmp, (int) getpid());
        static const char line[] = "0::/nova.slice/nova-agents.slice/nova-agent@t.service\n";

        if (!proc || !dir || !fn || mkdir(proc, 0755) < 0 || mkdir(dir, 0755) < 0 ||
            test_write_file(fn, line, sizeof(line) - 1) < 0)
                bail_out("cannot write the fixtures");
        is_int(cgroup_signal_pid(proc, getpid(), "nova-agent@t.service", 0), 0, "signal: sent while in the unit");
        is_int(cgroup_signal_pid(proc, getpid(), "t.service", 0), -ESRCH, "signal: a unit whose name only ends alike");
        is_int(cgroup_signal_pid(proc, getpid(), "nova-agent@u.service", 0), -ESRCH, "signal: another unit: -ESRCH");
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();

        test_fixtures();
        test_top_level();
        test_first_started(tmp);
        test_signal(tmp);
        test_host();
        test_rm_rf(tmp);
        return done_testing();
}
