/* novactl spawn NAME [--workspace DIR] [--env K=V]… [--force] [-- CMD ARGS…]
 *
 * Writes the agent's runtime configuration (<rundir>/NAME.conf, atomically)
 * and starts nova-agent@NAME.service, waiting for the start job. Refused while
 * admission is closed (unless --force) or the agent already runs. If the start
 * fails, the runtime file it wrote is removed again: the agent is left as it
 * was, not running, with no configuration of ours that a later plain
 * `systemctl start` would pick up. Without CMD, --workspace and --env nothing
 * is written and the agent runs from /etc/nova-agents (and any runtime file
 * already there). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "admission.h"
#include "agent-config.h"
#include "agent-name.h"
#include "novactl.h"
#include "str-util.h"

typedef struct SpawnArgs {
        const char *name;
        bool force;
        AgentConfig *config;
        bool write_config;
} SpawnArgs;

static int parse_args(int argc, char **argv, SpawnArgs *a) {
        static const struct option options[] = {
                { "workspace", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "force", no_argument, NULL, 'f' },
                {}
        };
        const char *reason = NULL;
        int c, split = argc, r;

        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--") == 0) {
                        split = i;
                        break;
                }
        optind = 0;
        while ((c = getopt_long(split, argv, "w:e:f", options, NULL)) >= 0)
                switch (c) {
                case 'w':
                        if (agent_config_workspace_check(optarg, &reason) < 0) {
                                log_error("--workspace %s: %s", optarg, reason);
                                return NOVACTL_EXIT_USAGE;
                        }
                        free(a->config->workspace);
                        if (!(a->config->workspace = strdup(optarg)))
                                return log_oom();
                        a->write_config = true;
                        break;
                case 'e':
                        if (agent_config_env_check(optarg, &reason) < 0) {
                                log_error("--env %s: %s", optarg, reason);
                                return NOVACTL_EXIT_USAGE;
                        }
                        if (agent_config_env_set(&a->config->environment, optarg) < 0)
                                return log_oom();
                        a->write_config = true;
                        break;
                case 'f':
                        a->force = true;
                        break;
                default:
                        return NOVACTL_EXIT_USAGE;
                }
        if (optind != split - 1) {
                log_error("spawn wants one agent name before \"--\"");
                return NOVACTL_EXIT_USAGE;
        }
        a->name = argv[optind];
        if (split + 1 < argc) {
                r = strv_copy(argv + split + 1, &a->config->command);
                if (r < 0)
                        return log_oom();
                a->write_config = true;
        }
        return 0;
}

static int check_not_running(sd_bus *bus, const char *unit, const char *name) {
        char *patterns[] = { (char *) unit, NULL };
        AgentUnit *units = NULL;
        size_t n = 0;
        int r;

        r = bus_list_agents(bus, NULL, patterns, &units, &n);
        if (r != 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (agent_state_in(units[i].active_state, agent_states_running)) {
                        log_error("agent %s is already running (%s); stop it first", name, units[i].active_state);
                        r = NOVACTL_EXIT_RUNNING;
                }
        agent_units_free(units, n);
        return r;
}

static int write_config(const SpawnArgs *a) {
        _cleanup_(freep) char *error = NULL;
        int r;

        r = agent_config_write_atomic(novactl_rundir(), a->name, a->config, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("cannot write the runtime configuration: %s", error ? error : strerror(-r));
                return r == -EINVAL ? NOVACTL_EXIT_USAGE : exit_code_from_errno(r);
        }
        return 0;
}

static int start_agent(sd_bus *bus, const char *unit) {
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        int r;

        r = job_wait_new(bus, &w);
        if (r == 0)
                r = job_wait_enqueue(w, "StartUnit", unit);
        if (r == 0)
                r = job_wait_all(w, JOB_WAIT_USEC);
        return r;
}

int verb_spawn(int argc, char **argv, void *userdata) {
        _cleanup_(agent_config_freep) AgentConfig *config = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *unit = NULL, *path = NULL;
        SpawnArgs a = {};
        int r;

        if (agent_config_new(&config) < 0)
                return log_oom();
        a.config = config;
        r = parse_args(argc, argv, &a);
        if (r != 0)
                return r;
        if (!agent_name_is_valid(a.name)) {
                _cleanup_(freep) char *e = str_escape(a.name);
                log_error("invalid agent name \"%s\": %s", e ? e : "", AGENT_NAME_RULE);
                return NOVACTL_EXIT_USAGE;
        }
        if (arg_host && a.write_config) {
                /* The runtime file would have to be written on that host. */
                log_error("spawn -H starts an agent as configured on %s; CMD, --workspace and --env need "
                          "the local host (run novactl there, or edit %s/%s.conf there)",
                          arg_host, AGENTS_CONFDIR "/agents", a.name);
                return NOVACTL_EXIT_USAGE;
        }
        /* On -H the remote admission file is out of reach; the agent unit's
         * own ExecCondition= decides there, and agent_check_started() says so. */
        if (!a.force && !arg_host && (r = check_admission(a.name)) != 0)
                return r;

        unit = agent_unit_from_name(a.name);
        path = str_printf("%s/%s.conf", novactl_rundir(), a.name);
        if (!unit || !path)
                return log_oom();
        r = bus_connect(&bus);
        if (r == 0)
                r = check_not_running(bus, unit, a.name);
        if (r == 0 && a.write_config)
                r = write_config(&a);
        if (r == 0 && a.force && !arg_host)
                r = admit_once(a.name);
        if (r != 0)
                return r;

        r = start_agent(bus, unit);
        if (r == 0)
                r = agent_check_started(bus, unit);
        if (a.force && !arg_host)
                admit_forget(a.name); /* consumed by a start; else stale */
        if (r != 0 && a.write_config && unlink(path) < 0 && errno != ENOENT)
                log_error("cannot remove %s: %m", path);
        return r;
}
