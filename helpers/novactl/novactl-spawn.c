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
#include <time.h>

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

static int check_admission(const char *name) {
        _cleanup_(admission_state_done) AdmissionState s = {};
        const char *problem = NULL;
        unsigned line = 0;
        int r;

        r = admission_read(novactl_rundir(), &s, &line, &problem);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                /* Fail closed: an unreadable state may well mean "closed".
                 * ("%.0u" prints nothing for line 0: no line to name.) */
                log_error("cannot read the admission state %s/%s%s%.0u: %s; not starting %s (--force overrides)",
                          novactl_rundir(), ADMISSION_FILE, line ? ":" : "", line,
                          problem ? problem : strerror(-r), name);
                return NOVACTL_EXIT_ADMISSION;
        }
        if (!s.closed)
                return 0;

        char since[64] = "an unknown time";
        if (s.since_usec > 0) {
                time_t t = (time_t) (s.since_usec / 1000000);
                struct tm tm;
                if (localtime_r(&t, &tm))
                        strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
        }
        _cleanup_(freep) char *reason = s.reason ? str_escape(s.reason) : NULL;
        log_error("admission is closed since %s%s%s%s: not starting %s (--force overrides)", since,
                  reason ? " (" : "", reason ? reason : "", reason ? ")" : "", name);
        return NOVACTL_EXIT_ADMISSION;
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
                if (strcmp(units[i].active_state, "active") == 0 || strcmp(units[i].active_state, "activating") == 0 ||
                    strcmp(units[i].active_state, "reloading") == 0) {
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
        if (!a.force && (r = check_admission(a.name)) != 0)
                return r;

        unit = str_printf(AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX, a.name);
        path = str_printf("%s/%s.conf", novactl_rundir(), a.name);
        if (!unit || !path)
                return log_oom();
        r = bus_connect(&bus);
        if (r == 0)
                r = check_not_running(bus, unit, a.name);
        if (r == 0 && a.write_config)
                r = write_config(&a);
        if (r != 0)
                return r;

        r = start_agent(bus, unit);
        if (r != 0 && a.write_config && unlink(path) < 0 && errno != ENOENT)
                log_error("cannot remove %s: %m", path);
        return r;
}
