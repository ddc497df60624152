/* bench/fleet-metrics-bench DIR N [WRITES]: the cost of one `novactl
 * metrics` write at N agents. Builds a fixture cgroup tree of N agent
 * directories (the files Linux 6.1 gives each) below DIR, then formats and
 * atomically writes the exposition WRITES times (default 20), and prints
 * bytes and CPU (user + system, getrusage) per write. Only the bus call is
 * left out (one ListUnitsByPatterns, the same for any verb). Run by
 * bench/metrics.sh. */

#include <sys/resource.h>

#include "file-util.h"
#include "fleet-fixture.h"
#include "fleet-metrics.h"

static double cpu_ms(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static MetricsAgent *build(const char *root, size_t n, char **ret_slice) {
        MetricsAgent *agents = calloc(n, sizeof(MetricsAgent));
        char *slice = fixture_slice(root);

        for (size_t i = 0; agents && i < n; i++) {
                char *name = str_printf("agent-%04zu", i + 1);
                _cleanup_(freep) char *dir = str_printf("%s/nova-agent@%s.service", slice, name);
                if (!name || !dir || fixture_cgroup(dir, "10485760\n", "12582912\n", "4294967296\n", "6\n", 0) < 0)
                        bail_out("cannot build the fixture tree");
                agents[i] = (MetricsAgent) { name, "active" };
        }
        if (!agents)
                bail_out("out of memory");
        *ret_slice = slice;
        return agents;
}

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: %s DIR N [WRITES]\n", argv[0]);
                return 2;
        }
        size_t n = strtoul(argv[2], NULL, 10), writes = argc > 3 ? strtoul(argv[3], NULL, 10) : 20, size = 0;
        _cleanup_(freep) char *slice = NULL, *out = str_printf("%s/nova-agents.prom", argv[1]);
        MetricsAgent *agents = build(argv[1], n, &slice);
        MetricsSource src = { .slice_dir = slice, .rundir = argv[1] };
        double start = cpu_ms();

        for (size_t w = 0; w < writes; w++) {
                _cleanup_(freep) char *text = NULL;
                FILE *f = open_memstream(&text, &size);
                if (!f || fleet_metrics_format(f, &src, agents, n) < 0 || fclose(f) != 0 ||
                    write_file_atomic(out, text, size, 0644) < 0)
                        bail_out("a write failed");
        }
        printf("agents %zu  writes %zu  bytes/write %zu  cpu_ms/write %.1f\n", n, writes, size,
               (cpu_ms() - start) / (double) writes);
        return 0;
}
