/* bench/reliefd-look-bench DIR N [LOOKS]: the CPU of one nova-reliefd look
 * (monitor_tick(): meminfo, admission, disk, relief decision, leak watch,
 * metrics) at N agents, on a fixture tree below DIR: a /proc with a
 * meminfo at 50 % used (relief not due) and a cgroup slice of N agent
 * directories with the files Linux 6.1 gives them. Prints CPU (user +
 * system, getrusage) per look, LOOKS times (default 50) each:
 *   idle     the look of a quiet host, what runs on every wakeup
 *   sampled  the same with every agent's memory.current and pids.current
 *            read (what the leak watch and a due relief need)
 * Run by bench/reliefd-look.sh. */

#include <sys/resource.h>

#include "file-util.h"
#include "fleet-fixture.h"
#include "reliefd.h"

static double cpu_ms(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static char *build(const char *root, size_t n) {
        _cleanup_(freep) char *proc = str_printf("%s/proc", root);
        char *slice = fixture_slice(root);
        /* 64 GiB, half of it available: far from 85 % and 95 %. */
        static const char meminfo[] = "MemTotal:       67108864 kB\nMemFree:        30000000 kB\n"
                                      "MemAvailable:   33554432 kB\nSwapTotal:             0 kB\n"
                                      "SwapFree:              0 kB\n";

        if (!proc || mkdir(proc, 0755) < 0 || fixture_file(proc, "meminfo", meminfo) < 0)
                bail_out("cannot build the fixture /proc");
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *dir = str_printf("%s/nova-agent@agent-%04zu.service", slice, i + 1);
                if (!dir || fixture_cgroup(dir, "1048576\n", "2097152\n", "4294967296\n", "2\n", 0) < 0)
                        bail_out("cannot build the fixture tree");
        }
        return slice;
}

static double looks(Daemon *d, size_t k, bool sampled) {
        double start = cpu_ms();
        uint64_t sleep;

        for (size_t i = 0; i < k; i++) {
                if (sampled)
                        d->leak_sampled_usec = 0; /* the leak watch is due */
                if (monitor_tick(d, &sleep) < 0)
                        bail_out("a look failed");
        }
        return (cpu_ms() - start) / (double) k;
}

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: %s DIR N [LOOKS]\n", argv[0]);
                return 2;
        }
        size_t n = strtoul(argv[2], NULL, 10), k = argc > 3 ? strtoul(argv[3], NULL, 10) : 50;
        _cleanup_(freep) char *proc = str_printf("%s/proc", argv[1]);
        _cleanup_(freep) char *metrics = str_printf("%s/nova-reliefd.prom", argv[1]);
        _cleanup_(freep) char *slice = build(argv[1], n);
        Daemon d = { .proc_root = proc, .slice_dir = slice, .rundir = argv[1], .confdir = argv[1] };

        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;
        d.config.disk_paths = NULL;
        (void) looks(&d, 1, true); /* the first look learns every agent */
        double sampled = looks(&d, k, true), idle = looks(&d, k, false);
        printf("agents %zu  looks %zu  idle_cpu_ms %.2f  sampled_cpu_ms %.2f\n", n, k, idle, sampled);
        return 0;
}
