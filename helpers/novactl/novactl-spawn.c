/* novactl spawn NAME [--workspace DIR] [--env K=V]… [--env-file FILE]
 *                    [--secret ID=@FILE]… [--force] [-- CMD ARGS…]
 *
 * Writes the agent's runtime configuration (<rundir>/NAME.conf, atomically)
 * and starts nova-agent@NAME.service, waiting for the start job. Refused while
 * admission is closed (unless --force) or the agent already runs. If the start
 * fails, the runtime file it wrote is removed again: the agent is left as it
 * was, not running, with no configuration of ours that a later plain
 * `systemctl start` would pick up. Without CMD, --workspace and --env nothing
 * is written and the agent runs from /etc/nova-agents (and any runtime file
 * already there).
 *
 * Secrets never pass through a command line (other users read those in
 * /proc): --env-file reads KEY=VALUE lines from a file or stdin ("-") into
 * the root-only runtime file; --secret encrypts FILE (or stdin, "@-") with
 * systemd-creds into <rundir>/credentials/NAME/ID.cred (credential.h), which
 * the agent finds decrypted as $CREDENTIALS_DIRECTORY/ID. Nothing here
 * prints a value. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admission.h"
#include "agent-config.h"
#include "agent-name.h"
#include "credential.h"
#include "file-util.h"
#include "novactl.h"
#include "str-util.h"

typedef struct SpawnArgs {
        const char *name;
        bool force;
        AgentConfig *config;
        bool write_config;
        char **secrets; /* "ID=@FILE", checked */
        bool stdin_used;
} SpawnArgs;

/* The bound on an --env-file, like the runtime file it ends up in. */
#define ENV_FILE_MAX (1024 * 1024)

static int read_env_file(SpawnArgs *a, const char *file) {
        _cleanup_(freep) char *text = NULL;
        const char *reason = NULL;
        unsigned n = 0;
        int r;

        r = strcmp(file, "-") == 0 ? read_file_full("/dev/stdin", ENV_FILE_MAX, &text, NULL)
                                   : read_file_full(file, ENV_FILE_MAX, &text, NULL);
        if (r < 0) {
                log_error("--env-file %s: %s", file, strerror(-r));
                return r == -ENOMEM ? r : -EINVAL; /* the file the operator named */
        }
        for (char *next = text; next;) {
                char *line = str_strip(str_line_cut(&next));
                n++;
                if (*line == '\0' || *line == '#' || *line == ';')
                        continue;
                if (agent_config_env_check(line, &reason) < 0) {
                        /* The key only: the value may be the secret. */
                        _cleanup_(freep) char *key = strndup(line, strcspn(line, "="));
                        _cleanup_(freep) char *k = key ? str_escape(key) : NULL;
                        if (!k)
                                return log_oom();
                        log_error("--env-file %s:%u: \"%s\": %s", file, n, k, reason);
                        return -EINVAL;
                }
                if (agent_config_env_set(&a->config->environment, line) < 0)
                        return log_oom();
        }
        a->write_config = true;
        return 0;
}

static int take_stdin(SpawnArgs *a, const char *option) {
        if (a->stdin_used) {
                log_error("%s: stdin (\"-\") is read once; use a file for the others", option);
                return -EINVAL;
        }
        a->stdin_used = true;
        return 0;
}

static int add_secret(SpawnArgs *a, const char *arg) {
        const char *eq = strchr(arg, '=');
        _cleanup_(freep) char *id = eq ? strndup(arg, (size_t) (eq - arg)) : NULL;
        _cleanup_(freep) char *copy = NULL;

        if (!eq || eq[1] != '@' || eq[2] == '\0') {
                /* Not even the argument is echoed: it may be the secret itself. */
                log_error("--secret wants ID=@FILE (or ID=@- for stdin), never the value itself");
                return -EINVAL;
        }
        if (!id || !(copy = strdup(arg)))
                return log_oom();
        if (!credential_id_is_valid(id)) {
                _cleanup_(freep) char *e = str_escape(id);
                log_error("--secret \"%s\": invalid ID: %s", e ? e : "", CREDENTIAL_ID_RULE);
                return -EINVAL;
        }
        if (strcmp(eq + 2, "-") == 0 && take_stdin(a, "--secret") < 0)
                return -EINVAL;
        /* Refused before anything is written or started (write_secret() opens it). */
        if (strcmp(eq + 2, "-") != 0 && access(eq + 2, R_OK) < 0) {
                log_error("--secret %s: %s: %s", id, eq + 2, strerror(errno));
                return -EINVAL;
        }
        if (strv_push(&a->secrets, copy) < 0)
                return log_oom();
        copy = NULL;
        return 0;
}

static int parse_args(int argc, char **argv, SpawnArgs *a) {
        static const struct option options[] = {
                { "workspace", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "env-file", required_argument, NULL, 'E' },
                { "secret", required_argument, NULL, 's' },
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
                                return -EINVAL;
                        }
                        free(a->config->workspace);
                        if (!(a->config->workspace = strdup(optarg)))
                                return log_oom();
                        a->write_config = true;
                        break;
                case 'e':
                        if (agent_config_env_check(optarg, &reason) < 0) {
                                log_error("--env %s: %s", optarg, reason);
                                return -EINVAL;
                        }
                        if (agent_config_env_set(&a->config->environment, optarg) < 0)
                                return log_oom();
                        a->write_config = true;
                        break;
                case 'E':
                        if (strcmp(optarg, "-") == 0 && take_stdin(a, "--env-file") < 0)
                                return -EINVAL;
                        r = read_env_file(a, optarg);
                        if (r < 0)
                                return r;
                        break;
                case 's':
                        r = add_secret(a, optarg);
                        if (r < 0)
                                return r;
                        break;
                case 'f':
                        a->force = true;
                        break;
                default:
                        return -EINVAL; /* getopt said why */
                }
        if (optind != split - 1) {
                log_error("spawn wants one agent name before \"--\"");
                return -EINVAL;
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
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (agent_state_in(units[i].active_state, agent_states_running)) {
                        log_error("agent %s is already running (%s); stop it first", name, units[i].active_state);
                        r = -EEXIST;
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
        if (r < 0) /* -EINVAL: a value the file cannot hold, a usage error */
                log_error("cannot write the runtime configuration: %s", error ? error : strerror(-r));
        return r;
}

static int make_dir(const char *path) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
                int r = -errno;
                log_error("cannot create %s: %s", path, strerror(-r));
                return r;
        }
        return 0;
}

/* Encrypted into a hidden temporary file (credential_list() skips it), then
 * renamed: --prepare never decrypts half a file. */
static int write_secret(const char *dir, const char *arg, char ***written) {
        _cleanup_(freep) char *id = strndup(arg, strcspn(arg, "="));
        const char *file = strchr(arg, '=') + 2;
        _cleanup_(freep) char *path = id ? str_printf("%s/%s" CREDENTIAL_SUFFIX, dir, id) : NULL;
        _cleanup_(freep) char *tmp = id ? str_printf("%s/.%s" CREDENTIAL_SUFFIX ".tmp", dir, id) : NULL;
        _cleanup_(closep) int in = -EBADF, out = -EBADF;
        int r;

        if (!path || !tmp)
                return log_oom();
        in = strcmp(file, "-") == 0 ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (in < 0) {
                log_error("--secret %s: %s: %s", id, file, strerror(errno));
                return -EINVAL;
        }
        out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
                r = -errno;
                log_error("--secret %s: cannot create %s: %s", id, tmp, strerror(-r));
                return r;
        }
        r = credential_crypt("encrypt", id, "-", in, out);
        if (r >= 0 && fsync(out) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                log_error("--secret %s: cannot encrypt %s into %s: %s", id, file, path,
                          r == -EIO ? SYSTEMD_CREDS_PATH " failed" : strerror(-r));
                return r;
        }
        if (strv_push(written, path) < 0)
                return log_oom();
        path = NULL;
        return 0;
}

static int write_secrets(const SpawnArgs *a, char ***written) {
        _cleanup_(freep) char *top = str_printf("%s/" CREDENTIALS_SUBDIR, novactl_rundir());
        _cleanup_(freep) char *dir = str_printf("%s/" CREDENTIALS_SUBDIR "/%s", novactl_rundir(), a->name);
        int r;

        if (!top || !dir)
                return log_oom();
        r = make_dir(top);
        if (r == 0)
                r = make_dir(dir);
        for (char **s = a->secrets; r == 0 && s && *s; s++)
                r = write_secret(dir, *s, written);
        return r;
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

static int spawn(int argc, char **argv) {
        _cleanup_(agent_config_freep) AgentConfig *config = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *unit = NULL, *path = NULL;
        _cleanup_(strv_freep) char **secrets = NULL, **written = NULL;
        SpawnArgs a = {};
        bool wrote_config = false;
        int r;

        if (agent_config_new(&config) < 0)
                return log_oom();
        a.config = config;
        r = parse_args(argc, argv, &a);
        secrets = a.secrets;
        if (r < 0)
                return r;
        if (!agent_name_is_valid(a.name)) {
                _cleanup_(freep) char *e = str_escape(a.name);
                log_error("invalid agent name \"%s\": %s", e ? e : "", AGENT_NAME_RULE);
                return -EINVAL;
        }
        if (arg_host && a.secrets) {
                log_error("spawn -H: --secret needs the local host (run novactl there)");
                return -EINVAL;
        }
        if (arg_host && a.write_config) {
                /* The runtime file would have to be written on that host. */
                log_error("spawn -H starts an agent as configured on %s; CMD, --workspace and --env need "
                          "the local host (run novactl there, or edit %s/%s.conf there)",
                          arg_host, AGENTS_CONFDIR "/agents", a.name);
                return -EINVAL;
        }
        /* On -H the remote admission file is out of reach; the agent unit's
         * own start condition decides there, and agent_check_started() says so. */
        if (!a.force && !arg_host && (r = check_admission(a.name)) < 0)
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
        wrote_config = r == 0 && a.write_config;
        if (r == 0 && a.secrets)
                r = write_secrets(&a, &written);
        if (r == 0 && a.force && !arg_host)
                r = admit_once(a.name);
        if (r == 0) {
                r = start_agent(bus, unit);
                if (r == 0)
                        r = agent_check_started(bus, unit);
                if (a.force && !arg_host)
                        admit_forget(a.name); /* consumed by a start; else stale */
        }
        if (r < 0 && wrote_config && unlink(path) < 0 && errno != ENOENT)
                log_error("cannot remove %s: %m", path);
        for (char **w = written; r < 0 && w && *w; w++)
                if (unlink(*w) < 0 && errno != ENOENT)
                        log_error("cannot remove %s: %m", *w);
        return r;
}

int verb_spawn(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(spawn(argc, argv));
}
