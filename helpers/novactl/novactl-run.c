/* novactl run [--name NAME] [--force] -- CMD ARGS…
 *
 * Runs CMD in the foreground inside a transient scope, nova-run-NAME.scope in
 * nova-agents.slice, with the caps an agent of that name would get: they are
 * read from nova-agent@NAME.service (which PID 1 loads on demand, with every
 * drop-in), so a cap changed for agents changes it here too. As with
 * `systemd-run --scope`, novactl puts itself into the new scope and then
 * execs CMD: the exit status is CMD's own. A scope is not a template
 * instance, hence the distinct "nova-run-" prefix; `count`, `status` and
 * `ensure` do not see it. */

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "agent-name.h"
#include "novactl.h"
#include "str-util.h"

#define SERVICE_IFACE "org.freedesktop.systemd1.Service"

typedef struct Caps {
        const char *property;
        uint64_t value;
} Caps;

static int parse_args(int argc, char **argv, const char **name, bool *force, char ***cmd) {
        static const struct option options[] = {
                { "name", required_argument, NULL, 'n' },
                { "force", no_argument, NULL, 'f' },
                {}
        };
        int c, split = argc;

        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--") == 0) {
                        split = i;
                        break;
                }
        optind = 0;
        while ((c = getopt_long(split, argv, "n:f", options, NULL)) >= 0)
                if (c == 'n')
                        *name = optarg;
                else if (c == 'f')
                        *force = true;
                else
                        return -EINVAL; /* getopt said why */
        if (optind != split || split + 1 >= argc) {
                log_error("run wants a command after \"--\": novactl run [--name NAME] -- CMD ARGS…");
                return -EINVAL;
        }
        if (*name && !agent_name_is_valid(*name)) {
                _cleanup_(freep) char *e = str_escape(*name);
                log_error("invalid name \"%s\": %s", e ? e : "", AGENT_NAME_RULE);
                return -EINVAL;
        }
        *cmd = argv + split + 1;
        return 0;
}

/* The agent unit's caps, as PID 1 resolved them (drop-ins included). */
static int read_caps(sd_bus *bus, const char *name, Caps *caps, size_t n) {
        _cleanup_(freep) char *unit = agent_unit_from_name(name);
        int r;

        if (!unit)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                r = bus_unit_get_u64(bus, unit, SERVICE_IFACE, caps[i].property, &caps[i].value);
                if (r < 0) {
                        log_error("cannot read %s of %s: %s", caps[i].property, unit, strerror(-r));
                        /* A denied read is a permission error (5); any other is internal (1), not
                         * sd-bus's errno passed on (-EINVAL, -ETIMEDOUT would say usage, job). */
                        return r == -EACCES || r == -EPERM || r == -EROFS ? r : -EIO;
                }
        }
        return 0;
}

static int append_properties(sd_bus_message *m, const char *scope, const Caps *caps, size_t n) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", AGENT_SLICE);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Description", "s", scope);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) getpid());
        /* A scope that failed (deadline, OOM) is not kept around: its name is reusable at once. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
        for (size_t i = 0; i < n && r >= 0; i++)
                r = sd_bus_message_append(m, "(sv)", caps[i].property, "t", caps[i].value);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int start_scope(sd_bus *bus, const char *scope, const Caps *caps, size_t n) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        const char *job;
        int r;

        r = job_wait_new(bus, &w);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", scope, "fail");
        if (r >= 0)
                r = append_properties(m, scope, caps, n);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                _cleanup_(freep) char *what = str_printf("cannot start %s", scope);
                return bus_log_error(what ? what : "StartTransientUnit", &e, r);
        }
        r = job_wait_add_path(w, job, scope);
        return r < 0 ? r : job_wait_all(w, JOB_WAIT_USEC);
}

/* Everything before the exec: the scope exists and this process is in it;
 * *ret_cmd is the command. The bus is closed on return. */
static int enter_scope(int argc, char **argv, char ***ret_cmd) {
        Caps caps[] = {
                { "MemoryMax" }, { "MemoryHigh" }, { "MemorySwapMax" }, { "TasksMax" }, { "RuntimeMaxUSec" },
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *pid_name = NULL, *scope = NULL;
        const char *name = NULL;
        bool force = false;
        char **cmd = NULL;
        int r;

        r = parse_args(argc, argv, &name, &force, &cmd);
        if (r < 0)
                return r;
        if (!name) {
                /* Unique while this process lives, which is as long as the scope needs it. */
                pid_name = str_printf("%d", (int) getpid());
                if (!pid_name)
                        return log_oom();
                name = pid_name;
        }
        scope = str_printf("nova-run-%s.scope", name);
        if (!scope)
                return log_oom();
        if (!force && (r = check_admission(scope)) < 0)
                return r;

        r = bus_connect(&bus);
        if (r == 0)
                r = read_caps(bus, name, caps, ELEMENTSOF(caps));
        if (r == 0)
                r = start_scope(bus, scope, caps, ELEMENTSOF(caps));
        if (r < 0)
                return r;
        *ret_cmd = cmd;
        return 0;
}

int verb_run(int argc, char **argv, _unused_ void *userdata) {
        char **cmd = NULL;
        int r;

        r = enter_scope(argc, argv, &cmd);
        if (r < 0)
                return exit_code_from_errno(r);
        execvp(cmd[0], cmd);
        r = errno;
        log_error("cannot run %s: %s", cmd[0], strerror(r));
        /* The shell's numbers: the scope ends with this process. */
        return r == ENOENT ? 127 : 126;
}
