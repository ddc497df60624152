/* novactl memory [--sort mem|tasks|age] [--json]: the running agents'
 * memory, largest first by default (the seed's check-agent-memory.sh), with
 * the slice's and host's totals. */

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "agent-info.h"

typedef enum SortKey { SORT_MEM, SORT_TASKS, SORT_AGE } SortKey;
static SortKey sort_key;

/* Descending; unknown values (UINT64_MAX-ish) go last; ties by name. */
static int compare_desc(uint64_t a, uint64_t b) {
        bool ua = a >= AGENT_CGROUP_MAX, ub = b >= AGENT_CGROUP_MAX;
        if (ua != ub)
                return ua ? 1 : -1;
        return a == b ? 0 : a > b ? -1 : 1;
}

static int agent_compare(const void *x, const void *y) {
        const AgentInfo *a = x, *b = y;
        int r = sort_key == SORT_TASKS ? compare_desc(a->cg.pids_current, b->cg.pids_current)
                : sort_key == SORT_AGE ? compare_desc(a->age_usec, b->age_usec)
                                       : compare_desc(a->cg.memory_current, b->cg.memory_current);
        return r ?: strcmp(a->u.name, b->u.name);
}

static void print_table(const Overview *o) {
        if (arg_legend)
                printf("%-24s %9s %9s %9s %5s %4s %6s %s\n", "NAME", "MEMORY", "PEAK", "MAX", "%MAX", "OOM", "TASKS", "AGE");
        for (size_t i = 0; i < o->n; i++) {
                const AgentInfo *a = &o->agents[i];
                char max[32];
                AgentCells c;

                agent_info_cells(a, &c);
                printf("%-24s %9s %9s %9s %5s %4s %6s %s\n", a->u.name, c.memory, c.peak,
                       format_bytes(max, sizeof(max), a->cg.memory_max), c.max_percent, c.oom_kills, c.tasks, c.age);
        }
        if (arg_legend)
                overview_print_footer(o);
}

static int memory(int argc, char **argv) {
        static const struct option options[] = { { "sort", required_argument, NULL, 's' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(overview_done) Overview o = {};
        int c, r;

        sort_key = SORT_MEM;
        optind = 0;
        while ((c = getopt_long(argc, argv, "s:", options, NULL)) >= 0) {
                if (c != 's')
                        return -EINVAL; /* getopt said why */
                if (strcmp(optarg, "mem") == 0)
                        sort_key = SORT_MEM;
                else if (strcmp(optarg, "tasks") == 0)
                        sort_key = SORT_TASKS;
                else if (strcmp(optarg, "age") == 0)
                        sort_key = SORT_AGE;
                else {
                        log_error("--sort wants mem, tasks or age");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                log_error("memory takes no arguments");
                return -EINVAL;
        }

        r = bus_connect(&bus);
        if (r == 0)
                /* Age only when sorting by it: it costs a bus call per agent. */
                r = overview_gather(bus, agent_states_alive, NULL, sort_key == SORT_AGE || !arg_json, &o);
        if (r < 0)
                return r;
        if (o.n > 1)
                qsort(o.agents, o.n, sizeof(AgentInfo), agent_compare);

        if (arg_json) {
                _cleanup_(json_object_putp) json_object *j = NULL;
                if (overview_to_json(&o, &j) < 0)
                        return log_oom();
                return json_print(j);
        }
        print_table(&o);
        return 0;
}

int verb_memory(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(memory(argc, argv));
}
