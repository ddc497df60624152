/* novactl: start, stop, inspect and relieve nova agents through systemd.
 * main() is thin: split the global options from the verb's arguments
 * (novactl-args.c), find the verb in the table below, run it, return its exit
 * code (see novactl.h and novactl(1)). The verbs return exit codes already
 * (each converts its errno once, exit_code_from_errno()); main() converts
 * only its own errnos, through the same function. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent-info.h"
#include "novactl.h"
#include "str-util.h"

typedef enum VerbFlags {
        VERB_REMOTE = 1 << 0, /* works with one -H */
        VERB_FLEET = 1 << 1,  /* works with several -H, once per host */
        VERB_IN_ORDER = 1 << 2, /* several -H: host by host, stopping at the first that fails */
} VerbFlags;

typedef struct Verb {
        const char *name;
        int min_args; /* counting the verb itself */
        int (*dispatch)(int argc, char **argv, void *userdata);
        VerbFlags flags;
        const char *synopsis;
} Verb;

static const Verb verbs[] = {
        { "spawn", 2, verb_spawn, VERB_REMOTE, "spawn NAME [--workspace DIR] [--env K=V]… [--env-file FILE] [--secret ID=@FILE]… [--force] [-- CMD ARGS…]" },
        { "run", 1, verb_run, 0, "run [--name NAME] [--force] -- CMD ARGS…" },
        { "stop", 1, verb_stop, VERB_REMOTE, "stop NAME…|--all [--force]" },
        { "count", 1, verb_count, VERB_REMOTE | VERB_FLEET, "count" },
        { "status", 1, verb_status, VERB_REMOTE | VERB_FLEET, "status [NAME…]" },
        { "memory", 1, verb_memory, VERB_REMOTE | VERB_FLEET, "memory [--sort mem|tasks|age]" },
        { "capacity", 1, verb_capacity, 0, "capacity" },
        { "relieve", 1, verb_relieve, 0, "relieve [--to PERCENT] [--dry-run]" },
        { "ensure", 2, verb_ensure, VERB_REMOTE | VERB_FLEET,
          "ensure COUNT [--parallel N] [--template NAME] [--force]" },
        { "metrics", 1, verb_metrics, 0, "metrics [--output FILE|-] [--floor N]" },
        { "restart", 1, verb_restart, VERB_REMOTE | VERB_FLEET | VERB_IN_ORDER,
          "restart NAME|GLOB…|--all [--batch N] [--pause DURATION] [--health DURATION] [--host-pause DURATION] [--new]" },
        { "top", 1, verb_top, 0, "top [--sort mem|tasks|growth|name] [--delay DURATION] [--once]" },
};

static void help(void) {
        printf("Usage: novactl [--json] [--no-legend] VERB [ARGS…]\n\n"
               "Start, stop, inspect and relieve nova agents (nova-agent@NAME.service).\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].synopsis);
        printf("\nOptions:\n"
               "  -H, --host=[USER@]HOST  act on HOST over SSH (several for count, status,\n"
               "                memory, ensure; restart goes host by host)\n"
               "  --json        JSON output (status, memory, count, capacity, relieve)\n"
               "  --no-legend   no header and footer lines in tables\n"
               "  -h, --help    this text\n"
               "  --version     the package version\n"
               "Exit codes: 0 ok, 1 internal error, 2 usage or invalid name, 3 no such agent,\n"
               "4 admission closed, 5 bus or permission error, 6 job failed, 7 already running,\n"
               "8 relief target not reached. See novactl(1).\n");
}

/* Once locally, or once per -H host; the first failure is the exit code,
 * but every host is tried. */
static int run_verb(const Verb *v, int argc, char **argv) {
        Fleet fleet = { .n = strv_length(arg_hosts) };
        int code, ret = 0; /* exit codes, not errnos */

        if (fleet.n > 0 && !(v->flags & VERB_REMOTE)) {
                log_error("%s works on the local host only (it needs its /proc and cgroupfs); "
                          "run it there: ssh HOST novactl %s", v->name, v->name);
                return NOVACTL_EXIT_USAGE;
        }
        if (fleet.n > 1 && !(v->flags & VERB_FLEET)) {
                log_error("%s takes one -H; several are for count, status, memory, ensure and restart", v->name);
                return NOVACTL_EXIT_USAGE;
        }
        if (fleet.n == 0)
                return v->dispatch(argc, argv, &fleet);
        for (fleet.index = 0; fleet.index < fleet.n; fleet.index++) {
                arg_host = arg_hosts[fleet.index];
                if (fleet.n > 1 && !arg_json && strcmp(v->name, "count") != 0)
                        printf("%s%s:\n", fleet.index > 0 ? "\n" : "", arg_host);
                fflush(stdout);
                code = v->dispatch(argc, argv, &fleet);
                ret = ret ?: code;
                if (code != NOVACTL_EXIT_OK && (v->flags & VERB_IN_ORDER)) {
                        printf("stopped at %s; not started:", arg_host);
                        for (size_t i = fleet.index + 1; i < fleet.n; i++)
                                printf(" %s", arg_hosts[i]);
                        printf("%s\n", fleet.index + 1 < fleet.n ? "" : " none (the last host)");
                        break;
                }
        }
        if (fleet.n > 1 && !arg_json && strcmp(v->name, "count") == 0)
                printf("%" PRIu64 "\ttotal\n", fleet.total);
        return exit_code_from_errno(json_fleet_flush()) ?: ret;
}

int main(int argc, char **argv) {
        _cleanup_(freep) char **args = NULL;
        GlobalAction action;
        int n = 0, r;

        r = parse_global(argc, argv, &action, &n, &args);
        if (r == -ENOMEM)
                log_oom();
        if (r < 0) /* -EINVAL was printed */
                return exit_code_from_errno(r);
        if (action == GLOBAL_HELP) {
                help();
                return NOVACTL_EXIT_OK;
        }
        if (action == GLOBAL_VERSION) {
                printf("novactl %s\n", PACKAGE_VERSION);
                return NOVACTL_EXIT_OK;
        }
        if (n == 0) {
                log_error("no verb given; see novactl --help");
                return NOVACTL_EXIT_USAGE;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (strcmp(args[0], verbs[i].name) != 0)
                        continue;
                if (n < verbs[i].min_args) {
                        log_error("too few arguments; usage: novactl %s", verbs[i].synopsis);
                        return NOVACTL_EXIT_USAGE;
                }
                return run_verb(&verbs[i], n, args);
        }
        log_error("unknown verb \"%s\"; see novactl --help", args[0]);
        return NOVACTL_EXIT_USAGE;
}
