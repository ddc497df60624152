/* novactl status [NAME…] [--json]: per agent its state, memory (current,
 * peak, % of MemoryMax), OOM kills, tasks, age, time left to the hard
 * deadline, disk held (the workspace's project quota) and workspace; then the slice's totals, the host's memory and the
 * admission state. Without names: every agent that is not inactive. */

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "agent-info.h"
#include "agent-name.h"
#include "str-util.h"

static void print_table(const Overview *o) {
        bool color = use_color();

        if (arg_legend)
                printf("%-24s %-12s %9s %9s %5s %4s %6s %9s %-12s %-12s %s\n", "NAME", "STATE", "MEMORY", "PEAK", "%MAX",
                       "OOM", "TASKS", "DISK", "AGE", "LEFT", "WORKSPACE");
        for (size_t i = 0; i < o->n; i++) {
                const AgentInfo *a = &o->agents[i];
                bool failed = strcmp(a->u.active_state, "failed") == 0;
                char left[32];
                AgentCells c;

                agent_info_cells(a, &c);
                printf("%-24s %s%-12s%s %9s %9s %5s %4s %6s %9s %-12s %-12s %s\n", a->u.name, failed && color ? "\033[31m" : "",
                       a->u.active_state, failed && color ? "\033[0m" : "", c.memory, c.peak, c.max_percent, c.oom_kills,
                       c.tasks, c.disk, c.age, format_duration(left, sizeof(left), a->deadline_usec),
                       a->workspace ? a->workspace : "-");
        }
        if (arg_legend)
                overview_print_footer(o);
}

static int status(int argc, char **argv) {
        static const struct option options[] = { {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(overview_done) Overview o = {};
        int c, r, missing;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                return -EINVAL; /* getopt said why */
        r = check_agent_names(argv + optind);
        if (r < 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        /* Named agents are shown in whatever state they are. */
        missing = overview_gather(bus, optind < argc ? NULL : agent_states_listed, optind < argc ? argv + optind : NULL,
                                  true, &o);
        if (missing < 0 && missing != -ENXIO)
                return missing;
        if (missing < 0 && o.n == 0)
                return missing; /* nothing to show but the error already printed */

        if (arg_json) {
                _cleanup_(json_object_putp) json_object *j = NULL;
                if (overview_to_json(&o, &j) < 0)
                        return log_oom();
                r = json_print(j);
        } else {
                print_table(&o);
                r = 0;
        }
        return r ?: missing;
}

int verb_status(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(status(argc, argv));
}
