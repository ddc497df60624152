/* novactl relieve [--to PERCENT] [--dry-run] [--json]: the seed's emergency
 * relief on demand. Kills agents largest-first by memory.current until host
 * memory used (MemTotal - MemAvailable) is below PERCENT (default 75), using
 * the very ranking nova-reliefd uses (relief_pick_victims()). Only units of
 * nova-agents.slice are ever candidates. Each victim's whole cgroup gets
 * SIGKILL (KillUnit whom=all) and is confirmed empty by cgroup.events. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "agent-info.h"
#include "relief-config.h"
#include "relief.h"

#define CONFIRM_USEC (10ULL * 1000 * 1000)

static int parse_percent(const char *s, double *ret) {
        char *end;

        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || *end || !isfinite(v) || v <= 0 || v > 100)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int candidates_gather(AgentUnit *units, size_t n, ReliefCandidate **ret) {
        ReliefCandidate *c = calloc(n ? n : 1, sizeof(ReliefCandidate));

        if (!c)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *dir = agent_cgroup_dir(units[i].name);
                AgentCgroup cg;
                if (!dir) {
                        free(c);
                        return log_oom();
                }
                c[i].name = units[i].name;
                if (agent_cgroup_read(dir, &cg) >= 0 && cg.memory_current < AGENT_CGROUP_MAX) {
                        c[i].memory_current = cg.memory_current;
                        c[i].memory_known = true;
                }
        }
        *ret = c;
        return 0;
}

static void print_plan(const ReliefPlan *p, const ReliefCandidate *c, const HostMemory *host, double target,
                       bool dry_run) {
        char used[32], tgt[32], mem[32];

        printf("host used %s (%.1f%%), target below %.1f%% (%s): %s %zu agent%s\n",
               format_bytes(used, sizeof(used), p->used_before), host_memory_used_percent(host), target,
               format_bytes(tgt, sizeof(tgt), p->target_bytes), dry_run ? "would kill" : "killing", p->n_victims,
               p->n_victims == 1 ? "" : "s");
        for (size_t i = 0; i < p->n_victims; i++)
                printf("  %zu. %s (memory.current %s)\n", i + 1, c[p->victims[i]].name,
                       format_bytes(mem, sizeof(mem), c[p->victims[i]].memory_current));
}

static int print_json(const ReliefPlan *p, const ReliefCandidate *c, bool killed) {
        _cleanup_(json_object_putp) json_object *j = json_object_new_object();
        json_object *v = json_object_new_array();

        if (!j || !v) {
                json_object_put(v);
                return log_oom();
        }
        for (size_t i = 0; i < p->n_victims; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(c[p->victims[i]].name));
                json_object_object_add(o, "memory_current", json_object_new_int64((int64_t) c[p->victims[i]].memory_current));
                json_object_array_add(v, o);
        }
        json_object_object_add(j, "used_before", json_object_new_int64((int64_t) p->used_before));
        json_object_object_add(j, "target_bytes", json_object_new_int64((int64_t) p->target_bytes));
        json_object_object_add(j, "expected_used_after", json_object_new_int64((int64_t) p->used_after));
        json_object_object_add(j, "reached", json_object_new_boolean(p->reached));
        json_object_object_add(j, "killed", json_object_new_boolean(killed));
        json_object_object_add(j, "victims", v);
        return json_print(j);
}

/* relief_pick_victims(), its failure logged. */
static int plan_relief(const ReliefCandidate *c, size_t n, const HostMemory *host, double target, ReliefPlan *ret) {
        int r = relief_pick_victims(c, n, host->total, host->available, target, ret);

        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                /* -EINVAL: a meminfo with no MemTotal, or more available than total. */
                log_error("cannot plan relief from %s/meminfo (total %" PRIu64 ", available %" PRIu64 " bytes): %s",
                          novactl_proc_root(), host->total, host->available, strerror(-r));
                return -EBADMSG; /* the meminfo is bad, not the command: not -EINVAL (usage) */
        }
        return 0;
}

/* Every victim gets its SIGKILL first, largest first, then each is confirmed:
 * the second one need not wait for the first one's exit. */
static int kill_victims(sd_bus *bus, const ReliefPlan *p, AgentUnit *units) {
        int r, ret = 0;

        for (size_t i = 0; i < p->n_victims; i++) {
                r = bus_kill_unit(bus, units[p->victims[i]].unit, "all", SIGKILL);
                ret = ret ?: r;
        }
        for (size_t i = 0; i < p->n_victims; i++) {
                r = agent_wait_empty(units[p->victims[i]].unit, CONFIRM_USEC);
                ret = ret ?: r;
        }
        return ret;
}

static int parse_args(int argc, char **argv, double *target, bool *dry_run) {
        static const struct option options[] = {
                { "to", required_argument, NULL, 't' },
                { "dry-run", no_argument, NULL, 'n' },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "t:n", options, NULL)) >= 0)
                if (c == 'n')
                        *dry_run = true;
                else if (c == 't' && parse_percent(optarg, target) < 0) {
                        log_error("--to wants a percentage above 0 and at most 100, not \"%s\"", optarg);
                        return -EINVAL;
                } else if (c != 't')
                        return -EINVAL; /* getopt said why */
        if (optind < argc) {
                log_error("relieve takes no arguments besides --to and --dry-run");
                return -EINVAL;
        }
        return 0;
}

static int relieve(int argc, char **argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) ReliefCandidate *cand = NULL;
        _cleanup_(relief_plan_done) ReliefPlan plan = {};
        ReliefConfig config = {};
        double target;
        bool dry_run = false;
        AgentUnit *units = NULL;
        size_t n = 0;
        HostMemory host;
        int r;

        /* The default target is the relief daemon's (ReliefTargetPercent=). */
        r = relief_config_get(&config);
        if (r < 0)
                return r;
        target = config.target_percent;
        relief_config_done(&config);
        r = parse_args(argc, argv, &target, &dry_run);
        if (r == 0)
                r = bus_connect(&bus);
        if (r == 0)
                r = bus_list_agents(bus, agent_states_alive, NULL, &units, &n);
        if (r < 0)
                return r;
        r = candidates_gather(units, n, &cand);
        /* The snapshot of the host is taken after the agents' numbers, so
         * that memory freed in between is not counted twice. */
        if (r == 0 && (r = host_memory_read(novactl_proc_root(), &host)) < 0) {
                log_error("cannot read %s/meminfo: %s", novactl_proc_root(), strerror(-r));
                r = -EIO; /* an internal error whatever the reason */
        }
        if (r == 0)
                r = plan_relief(cand, n, &host, target, &plan);
        if (r == 0) {
                if (!arg_json)
                        print_plan(&plan, cand, &host, target, dry_run);
                if (!dry_run)
                        r = kill_victims(bus, &plan, units);
                if (arg_json)
                        r = print_json(&plan, cand, !dry_run) ?: r;
        }
        if (r == 0 && !plan.reached) {
                log_error("every agent with a known size would not bring host memory below %.1f%%: "
                          "the rest is used outside nova-agents.slice", target);
                r = -EAGAIN;
        }
        agent_units_free(units, n);
        return r;
}

int verb_relieve(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(relieve(argc, argv));
}
