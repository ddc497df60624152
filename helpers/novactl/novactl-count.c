/* novactl count: the number of running agents (active, activating or
 * reloading; an agent on its way down is not counted), from one
 * ListUnitsByPatterns call. With several -H: "N<TAB>HOST" per host and
 * "N<TAB>total" (JSON: an array of {"count", "host"}). */

#include <errno.h>
#include <getopt.h>

#include "agent-info.h"

static int count(int argc, Fleet *fleet) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        AgentUnit *units = NULL;
        size_t n = 0;
        int r;

        if (argc > 1) {
                log_error("count takes no arguments");
                return -EINVAL;
        }
        r = bus_connect(&bus);
        if (r == 0)
                r = bus_list_agents(bus, agent_states_running, NULL, &units, &n);
        if (r < 0)
                return r;
        agent_units_free(units, n);

        if (arg_json) {
                _cleanup_(json_object_putp) json_object *j = json_object_new_object();
                if (!j || json_object_object_add(j, "count", json_object_new_int64((int64_t) n)) < 0)
                        return log_oom();
                return json_print(j);
        }
        if (fleet->n > 1) {
                /* One line per host, and main() adds the total. */
                printf("%zu\t%s\n", n, arg_host);
                fleet->total += n;
        } else
                printf("%zu\n", n);
        return 0;
}

int verb_count(int argc, _unused_ char **argv, void *userdata) {
        return exit_code_from_errno(count(argc, userdata));
}
