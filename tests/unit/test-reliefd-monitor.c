/* nova-reliefd's look (monitor.c) at a fixture host far from relief: a
 * quiet look reads no agent's cgroup (at 5,000 agents every look read
 * 10,000 files and matched names in O(n^2): 100 ms of CPU a look,
 * bench/reliefd-look.sh); the leak watch samples every agent once per
 * tenth of its window and keeps each survivor's window across the set of
 * agents changing. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "fleet-fixture.h"
#include "test-util.h"
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

static int open_fds(void) {
        _cleanup_(freep) char *list = NULL;
        int n = 1;

        if (test_list_dir("/proc/self/fd", &list) < 0)
                bail_out("cannot list /proc/self/fd");
        for (const char *p = list; *p; p++)
                n += *p == ' ';
        return *list ? n : 0;
}

/* sample.c keeps each unit's two files open from look to look, closes
 * those of a unit gone, and past RLIMIT_NOFILE's budget reads the rest
 * through descriptors opened for one read. */
static void test_kept_fds(Daemon *d, const char *slice) {
        size_t n;

        ok(d->n_agents == 3 && d->agents[0].mem_fd >= 0 && d->agents[0].pids_fd >= 0, "beta's two files are kept open");
        int beta_mem = d->agents[0].mem_fd, fds = open_fds();
        is_int(slice_sample(d, &n), 0, "sampled again");
        is_int(d->agents[0].mem_fd, beta_mem, "through the same descriptor (one pread, no open)");
        is_int(open_fds(), fds, "no descriptor more");
        is_int((long long) d->agents[0].bytes, 1048576, "beta's memory.current read");
        is_int((long long) d->agents[0].tasks, 1, "beta's pids.current read");
        gone(slice, "delta");
        is_int(slice_sample(d, &n), 0, "sampled after delta went");
        is_int((long long) n, 2, "two units left");
        is_int(open_fds(), fds - 2, "delta's two descriptors are closed");

        struct rlimit old, low;
        if (getrlimit(RLIMIT_NOFILE, &old) < 0)
                bail_out("getrlimit");
        agents_free(d);
        for (int i = 0; i < 40; i++) {
                char name[16];
                snprintf(name, sizeof(name), "many%02d", i);
                agent(slice, name);
        }
        fds = open_fds();
        /* A budget of 20 descriptors: SAMPLE_FD_RESERVE (256) + 20 open at most. */
        low = (struct rlimit) { .rlim_cur = 256 + 20, .rlim_max = old.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &low) < 0)
                bail_out("setrlimit");
        is_int(slice_sample(d, &n), 0, "42 units sampled with room for 20 kept descriptors");
        is_int((long long) n, 42, "every unit sampled");
        bool all = true;
        for (size_t i = 0; i < n; i++)
                all = all && d->agents[i].bytes == 1048576;
        ok(all, "every unit's memory.current read, kept or not");
        is_int(open_fds(), fds + 20, "20 descriptors kept, no more");
        if (setrlimit(RLIMIT_NOFILE, &old) < 0)
                bail_out("setrlimit");
        for (int i = 0; i < 40; i++) {
                char name[16];
                snprintf(name, sizeof(name), "many%02d", i);
                gone(slice, name);
        }
        is_int(slice_sample(d, &n), 0, "sampled after they went");
        is_int(open_fds(), fds + 4, "theirs are closed; beta and gamma have their two each again");
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
        int fds_before = open_fds();
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
        test_kept_fds(&d, slice);

        is_int((long long) leak_sample_interval_usec(&d.config), 60000000, "samples every 60 s (LeakWindowSec=600)");
        d.config.leak_window_usec = 5000000;
        is_int((long long) leak_sample_interval_usec(&d.config), 1000000, "never more often than every second");
        ok(!relief_may_be_due(&d.config, 1000, 51), "94.9 %% used: relief cannot be due");
        ok(relief_may_be_due(&d.config, 1000, 50), "95 %% used: it may be");
        ok(relief_may_be_due(&d.config, 1000, 2000), "available > total: left to relief_decide() to refuse");
        agents_free(&d);
        is_int(open_fds(), fds_before, "agents_free() closes every kept descriptor");
        return done_testing();
}
