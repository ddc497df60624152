/* nova-reliefd's look (monitor.c) at a fixture host far from relief: a
 * quiet look reads no agent's cgroup (at 5,000 agents every look read
 * 10,000 files and matched names in O(n^2): 100 ms of CPU a look,
 * bench/reliefd-look.sh); the leak watch samples every agent once per
 * tenth of its window and keeps each survivor's window across the set of
 * agents changing. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fleet-fixture.h"
#include "reliefd.h"

static void agent(const char *slice, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/nova-agent@%s.service", slice, name);
        if (!dir || fixture_cgroup(dir, "1048576\n", NULL, "4294967296\n", "1\n", 0) < 0)
                bail_out("cannot make an agent");
}

static void gone(const char *slice, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/nova-agent@%s.service", slice, name);
        const char *files[] = { "memory.current", "memory.max", "memory.events", "pids.current", "cgroup.events" };
        for (size_t i = 0; dir && i < sizeof(files) / sizeof(files[0]); i++) {
                _cleanup_(freep) char *f = str_printf("%s/%s", dir, files[i]);
                if (f)
                        (void) unlink(f);
        }
        if (!dir || rmdir(dir) < 0)
                bail_out("cannot remove an agent");
}

static const char *names(const Daemon *d, char *buf, size_t size) {
        buf[0] = '\0';
        for (size_t i = 0; i < d->n_agents; i++)
                snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", d->agents[i].name);
        return buf;
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();
        _cleanup_(freep) char *proc = str_printf("%s/proc", tmp), *metrics = str_printf("%s/m.prom", tmp);
        char buf[512];
        uint64_t sleep;

        if (!proc || !metrics || mkdir(proc, 0755) < 0 ||
            fixture_file(proc, "meminfo", "MemTotal: 1048576 kB\nMemFree: 500000 kB\nMemAvailable: 524288 kB\n") < 0)
                bail_out("cannot prepare the fixture /proc");
        _cleanup_(freep) char *slice = fixture_slice(tmp);
        Daemon d = { .proc_root = proc, .slice_dir = slice, .rundir = tmp, .confdir = tmp };
        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;
        setenv("NOVA_AGENTS_WORKSPACES", tmp, 1);

        agent(slice, "gamma");
        agent(slice, "alpha");
        agent(slice, "beta");
        is_int(monitor_tick(&d, &sleep), 0, "the first look (50 %% used) goes on");
        is_str(names(&d, buf, sizeof(buf)), "nova-agent@alpha.service nova-agent@beta.service nova-agent@gamma.service",
               "the first look samples every agent for the leak watch, kept sorted by name");
        ok(d.leak_sampled_usec > 0, "and notes when");

        uint64_t beta_start = d.agents[1].leak.start_usec;
        gone(slice, "alpha");
        agent(slice, "delta");
        is_int(monitor_tick(&d, &sleep), 0, "a second look at once");
        is_str(names(&d, buf, sizeof(buf)), "nova-agent@alpha.service nova-agent@beta.service nova-agent@gamma.service",
               "a quiet look reads no agent: the leak watch still knows the old set");

        d.leak_sampled_usec -= leak_sample_interval_usec(&d.config);
        is_int(monitor_tick(&d, &sleep), 0, "a look a tenth of the leak window later");
        is_str(names(&d, buf, sizeof(buf)), "nova-agent@beta.service nova-agent@delta.service nova-agent@gamma.service",
               "the next sample forgets alpha and adds delta");
        ok(d.agents[0].leak.start_usec == beta_start && beta_start > 0, "beta keeps its leak window");

        is_int((long long) leak_sample_interval_usec(&d.config), 60000000, "samples every 60 s (LeakWindowSec=600)");
        d.config.leak_window_usec = 5000000;
        is_int((long long) leak_sample_interval_usec(&d.config), 1000000, "never more often than every second");
        ok(!relief_may_be_due(&d.config, 1000, 51), "94.9 %% used: relief cannot be due");
        ok(relief_may_be_due(&d.config, 1000, 50), "95 %% used: it may be");
        ok(relief_may_be_due(&d.config, 1000, 2000), "available > total: left to relief_decide() to refuse");
        free(d.agents);
        return done_testing();
}
