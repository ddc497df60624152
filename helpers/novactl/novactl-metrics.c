/* novactl metrics [--output FILE|-] [--floor N]: the fleet's metrics in
 * Prometheus' text format, replaced atomically in node-exporter's textfile
 * directory (nova-metrics.timer runs it every 30 s). One ListUnitsByPatterns
 * call gives the agents and their states; every number comes from cgroupfs,
 * /proc/meminfo and the admission file: no bus call per agent, which at
 * 5,000 agents would be 5,000 round trips to PID 1 every 30 s. */

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <string.h>

#include "file-util.h"
#include "fleet-metrics.h"
#include "novactl.h"
#include "relief-config.h"
#include "str-util.h"

/* Debian's prometheus-node-exporter reads *.prom here
 * (--collector.textfile.directory in /etc/default/prometheus-node-exporter). */
#define TEXTFILE_DIR LOCALSTATEDIR "/lib/prometheus/node-exporter"
/* Far above any fleet; a typo like 10000000 is refused. */
#define FLOOR_MAX 1000000UL

typedef struct MetricsArgs {
        const char *output; /* "-": stdout */
        unsigned long floor;
} MetricsArgs;

static int parse_args(int argc, char **argv, MetricsArgs *a) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "floor", required_argument, NULL, 'f' },
                {}
        };
        int c;

        *a = (MetricsArgs) { .output = TEXTFILE_DIR "/" METRICS_TEXTFILE_NAME };
        optind = 0;
        while ((c = getopt_long(argc, argv, "o:f:", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        if (!*optarg) {
                                log_error("--output wants a file name or -");
                                return -EINVAL;
                        }
                        a->output = optarg;
                        break;
                case 'f':
                        if (parse_ulong(optarg, FLOOR_MAX, &a->floor) < 0) {
                                log_error("--floor wants a number from 0 to %lu", FLOOR_MAX);
                                return -EINVAL;
                        }
                        break;
                default:
                        return -EINVAL; /* getopt said why */
                }
        if (optind < argc) {
                log_error("metrics takes no arguments");
                return -EINVAL;
        }
        return 0;
}

static bool same_dir(const char *a, const char *b) {
        _cleanup_(freep) char *x = strdup(a), *y = strdup(b);
        return x && y && strcmp(dirname(x), dirname(y)) == 0;
}

/* nova-reliefd's metrics file, unless node-exporter reads it directly
 * (MetricsFile= in the directory written to): its series must not appear
 * twice. Standard output always gets them. */
static int relief_file(const char *output, char **ret) {
        _cleanup_(relief_config_done) ReliefConfig c = {};
        int r = relief_config_get(&c);

        if (r < 0)
                return r;
        *ret = NULL;
        if (c.metrics_disabled)
                return 0;
        char *path = c.metrics_file ? strdup(c.metrics_file) : str_printf("%s/nova-reliefd.prom", novactl_rundir());
        if (!path)
                return log_oom();
        if (strcmp(output, "-") != 0 && same_dir(path, output))
                free(path);
        else
                *ret = path;
        return 0;
}

static int emit(const MetricsArgs *a, const MetricsSource *src, const MetricsAgent *agents, size_t n) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        int r;

        if (!f)
                return log_oom();
        r = fleet_metrics_format(f, src, agents, n);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM; /* a memstream's flush fails for want of memory only */
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("cannot format the metrics: %s", strerror(-r));
                return r;
        }
        if (strcmp(a->output, "-") == 0)
                r = fwrite(text, 1, size, stdout) == size && fflush(stdout) == 0 ? 0 : -EIO;
        else
                /* 0644: node-exporter runs as its own user. */
                r = write_file_atomic(a->output, text, size, 0644);
        if (r < 0) {
                log_error("cannot write %s: %s", a->output, strerror(-r));
                return r;
        }
        return 0;
}

static int metrics(int argc, char **argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *slice_dir = NULL, *relief = NULL;
        _cleanup_(freep) MetricsAgent *agents = NULL;
        AgentUnit *units = NULL;
        MetricsArgs a;
        size_t n = 0;
        int r;

        r = parse_args(argc, argv, &a);
        if (r == 0)
                r = relief_file(a.output, &relief);
        if (r == 0)
                r = bus_connect(&bus);
        if (r == 0)
                r = bus_list_agents(bus, NULL, NULL, &units, &n);
        if (r < 0)
                return r;
        slice_dir = agent_slice_dir();
        if (!slice_dir || (n > 0 && !(agents = calloc(n, sizeof(MetricsAgent))))) {
                agent_units_free(units, n);
                return log_oom();
        }
        for (size_t i = 0; i < n; i++)
                agents[i] = (MetricsAgent) { units[i].name, units[i].active_state };

        MetricsSource src = {
                .slice_dir = slice_dir,
                .proc_root = novactl_proc_root(),
                .rundir = novactl_rundir(),
                .relief_file = relief,
                .floor = a.floor,
        };
        r = emit(&a, &src, agents, n);
        agent_units_free(units, n);
        return r;
}

int verb_metrics(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(metrics(argc, argv));
}
