/* fleet_metrics_format() on a fixture cgroup tree: the series and values
 * each file gives, what a missing file leaves out, label escaping, the
 * relief pass-through filter, and (when Debian's prometheus package is
 * installed) promtool's verdict on the whole exposition. */

#include <stdint.h>
#include <sys/wait.h>

#include "file-util.h"
#include "fleet-fixture.h"
#include "fleet-metrics.h"

static char *root, *slice, *rundir, *procdir;

static void build_tree(void) {
        _cleanup_(freep) char *a1 = NULL, *a2 = NULL;
        _cleanup_(freep) char *meminfo = test_data_path("meminfo/debian12-6.1/meminfo");
        _cleanup_(freep) char *mem = NULL;
        struct timespec when[2] = { { 1700000000, 0 }, { 1700000000, 0 } };

        root = test_mkdtemp();
        slice = fixture_slice(root);
        a1 = str_printf("%s/nova-agent@a1.service", slice);
        a2 = str_printf("%s/nova-agent@a2.service", slice);
        rundir = str_printf("%s/run", root);
        procdir = str_printf("%s/proc", root);
        if (!a1 || !a2 || !rundir || !procdir)
                bail_out("out of memory");
        if (fixture_cgroup(a1, "70295552\n", "70475776\n", "4294967296\n", "7\n", 1) < 0 ||
            fixture_cgroup(a2, "1048576\n", NULL, NULL, "1\n", 0) < 0 || utimensat(AT_FDCWD, a1, when, 0) < 0 ||
            mkdir(rundir, 0755) < 0 || mkdir(procdir, 0755) < 0)
                bail_out("cannot build the fixture tree");
        size_t size;
        if (read_file_full(meminfo, 1 << 20, &mem, &size) < 0 || fixture_file(procdir, "meminfo", mem) < 0)
                bail_out("cannot copy the meminfo fixture");
        if (fixture_file(rundir, "admission",
                         "state=closed\nsince=1700000123456789\nused_percent=86.0\nreason=used 86 % \"quoted\" \\ back\n") < 0 ||
            fixture_file(rundir, "nova-reliefd.prom",
                         "# HELP nova_reliefd_kills_total Agents killed by relief.\n"
                         "# TYPE nova_reliefd_kills_total counter\nnova_reliefd_kills_total 3\n"
                         "# TYPE evil gauge\nevil 1\nnode_load1 99\n") < 0)
                bail_out("cannot write the run files");
}

static char *format(const MetricsAgent *agents, size_t n, uint64_t floor, bool relief) {
        _cleanup_(freep) char *relief_file = str_printf("%s/nova-reliefd.prom", rundir);
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        MetricsSource src = {
                .slice_dir = slice, .proc_root = procdir, .rundir = rundir,
                .relief_file = relief ? relief_file : NULL, .floor = floor,
        };

        if (!f)
                bail_out("out of memory");
        is_int(fleet_metrics_format(f, &src, agents, n), 0, "fleet_metrics_format succeeds");
        fclose(f);
        return text;
}

/* Whether text holds line as a whole line. */
static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);
        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

static const MetricsAgent agents[] = { { "a1", "active" }, { "a2", "active" }, { "a3", "failed" } };

static void test_agents(const char *t) {
        ok(has_line(t, "nova_agent_memory_current_bytes{agent=\"a1\"} 70295552"), "a1: memory.current");
        ok(has_line(t, "nova_agent_memory_peak_bytes{agent=\"a1\"} 70475776"), "a1: memory.peak");
        ok(has_line(t, "nova_agent_memory_max_bytes{agent=\"a1\"} 4294967296"), "a1: memory.max");
        ok(has_line(t, "nova_agent_tasks{agent=\"a1\"} 7"), "a1: pids.current");
        ok(has_line(t, "nova_agent_oom_kills_total{agent=\"a1\"} 1"), "a1: oom_kill of memory.events");
        ok(has_line(t, "nova_agent_start_time_seconds{agent=\"a1\"} 1700000000"), "a1: start time = cgroup mtime");
        ok(has_line(t, "nova_agent_memory_max_bytes{agent=\"a2\"} +Inf"), "a2: memory.max \"max\" is +Inf");
        ok(!strstr(t, "nova_agent_memory_peak_bytes{agent=\"a2\"}"), "a2: no memory.peak file, no series");
        ok(has_line(t, "nova_agent_state{agent=\"a3\",state=\"failed\"} 1"), "a3: its state");
        ok(!strstr(t, "_bytes{agent=\"a3\"}") && !strstr(t, "start_time_seconds{agent=\"a3\"}"),
           "a3: no cgroup, no numbers");
        ok(has_line(t, "# TYPE nova_agent_oom_kills_total counter"), "OOM kills are a counter");
}

static void test_totals(const char *t) {
        ok(has_line(t, "nova_agents{state=\"active\"} 2"), "2 active");
        ok(has_line(t, "nova_agents{state=\"failed\"} 1"), "1 failed");
        ok(has_line(t, "nova_agents{state=\"activating\"} 0"), "states without agents are 0, not absent");
        ok(has_line(t, "nova_agents_floor 4500"), "the floor");
        ok(has_line(t, "nova_slice_memory_current_bytes 734003200"), "slice memory.current");
        ok(has_line(t, "nova_slice_oom_kills_total 2"), "slice OOM kills");
        ok(has_line(t, "nova_host_memory_total_bytes 2060423168"), "MemTotal in bytes");
        ok(has_line(t, "nova_admission_info{state=\"closed\",reason=\"used 86 % \\\"quoted\\\" \\\\ back\"} 1"),
           "admission state and reason, escaped");
        ok(has_line(t, "nova_admission_since_timestamp_seconds 1700000123"), "admission since, in seconds");
        ok(has_line(t, "nova_reliefd_kills_total 3"), "reliefd's series copied through");
        ok(!strstr(t, "evil") && !strstr(t, "node_load1"), "other lines of reliefd's file are not");
}

static void test_promtool(const char *text) {
        _cleanup_(freep) char *file = str_printf("%s/out.prom", root);
        _cleanup_(freep) char *cmd = str_printf("promtool check metrics < '%s' >&2", file);

        if (system("command -v promtool >/dev/null 2>&1") != 0) {
                skip("promtool is not installed (Debian: apt-get install prometheus)");
                return;
        }
        if (!file || !cmd || test_write_file(file, text, strlen(text)) < 0)
                bail_out("cannot write the exposition");
        int status = system(cmd);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "promtool check metrics accepts it (lint included)");
}

int main(void) {
        build_tree();

        _cleanup_(freep) char *t = format(agents, ELEMENTSOF(agents), 4500, true);
        test_agents(t);
        test_totals(t);
        test_promtool(t);

        _cleanup_(freep) char *bare = format(agents, 1, 0, false);
        ok(!strstr(bare, "nova_agents_floor") && !strstr(bare, "nova_reliefd_"), "no floor, no relief file: neither");

        test_rm_rf(slice); /* no cgroups, no meminfo, no admission file: the agents' states remain */
        test_rm_rf(rundir);
        test_rm_rf(procdir);
        _cleanup_(freep) char *empty = format(agents, ELEMENTSOF(agents), 0, true);
        ok(has_line(empty, "nova_agent_state{agent=\"a1\",state=\"active\"} 1") && !strstr(empty, "nova_slice_") &&
           !strstr(empty, "nova_host_") && !strstr(empty, "nova_agent_memory_current_bytes{"),
           "missing files leave out only their own series");
        ok(has_line(empty, "nova_admission_info{state=\"open\",reason=\"\"} 1") &&
           !strstr(empty, "nova_admission_since"), "no admission file is open (admission.h), with no since");

        test_rm_rf(root);
        return done_testing();
}
