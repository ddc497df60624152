/* novactl: start, stop, inspect and relieve nova agents through systemd.
 * main() is thin: split the global options from the verb's arguments, find
 * the verb, run it, return its exit code (see novactl.h and novactl(1)). */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent-info.h"
#include "novactl.h"
#include "str-util.h"

bool arg_json = false;
bool arg_legend = true;
const char *arg_host = NULL;
char **arg_hosts = NULL;

typedef enum VerbFlags {
        VERB_REMOTE = 1 << 0, /* works with one -H */
        VERB_FLEET = 1 << 1,  /* works with several -H, once per host */
} VerbFlags;

typedef struct Verb {
        const char *name;
        int min_args; /* counting the verb itself */
        int (*dispatch)(int argc, char **argv, void *userdata);
        VerbFlags flags;
        const char *synopsis;
} Verb;

static const Verb verbs[] = {
        { "spawn", 2, verb_spawn, VERB_REMOTE, "spawn NAME [--workspace DIR] [--env K=V]… [--force] [-- CMD ARGS…]" },
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
        { "restart", 1, verb_restart, 0,
          "restart NAME|GLOB…|--all [--batch N] [--pause DURATION] [--health DURATION] [--new]" },
        { "top", 1, verb_top, 0, "top [--sort mem|tasks|growth|name] [--delay DURATION] [--once]" },
};

void log_error(const char *format, ...) {
        va_list ap;

        fputs("novactl: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int log_oom(void) {
        log_error("out of memory");
        return NOVACTL_EXIT_FAILURE;
}

int exit_code_from_errno(int r) {
        return r == -EACCES || r == -EPERM || r == -EROFS ? NOVACTL_EXIT_BUS : NOVACTL_EXIT_FAILURE;
}

static const char *dir_from_env(const char *var, const char *fallback) {
        const char *v = getenv(var);
        return v && *v ? v : fallback;
}

const char *novactl_confdir(void) {
        return dir_from_env("NOVA_AGENTS_CONFDIR", AGENTS_CONFDIR);
}
const char *novactl_rundir(void) {
        return dir_from_env("NOVA_AGENTS_RUNDIR", AGENTS_RUNDIR);
}
const char *novactl_proc_root(void) {
        return dir_from_env("NOVACTL_PROC_ROOT", "/proc");
}
const char *novactl_cgroup_root(void) {
        return dir_from_env("NOVACTL_CGROUP_ROOT", "/sys/fs/cgroup");
}

static void help(void) {
        printf("Usage: novactl [--json] [--no-legend] VERB [ARGS…]\n\n"
               "Start, stop, inspect and relieve nova agents (nova-agent@NAME.service).\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].synopsis);
        printf("\nOptions:\n"
               "  -H, --host=[USER@]HOST  act on HOST over SSH (several for count, status,\n"
               "                memory, ensure)\n"
               "  --json        JSON output (status, memory, count, capacity, relieve)\n"
               "  --no-legend   no header and footer lines in tables\n"
               "  -h, --help    this text\n"
               "  --version     the package version\n"
               "Exit codes: 0 ok, 1 internal error, 2 usage or invalid name, 3 no such agent,\n"
               "4 admission closed, 5 bus or permission error, 6 job failed, 7 already running,\n"
               "8 relief target not reached. See novactl(1).\n");
}

/* Takes the global options out of argv wherever they stand before "--" (so
 * `novactl status --json` and `novactl --json status` both work) and leaves
 * the verb and its own arguments in *ret_argv. 1 = go on, 0 = done, < 0 =
 * usage error (already printed). */
static int parse_global(int argc, char **argv, int *ret_argc, char ***ret_argv) {
        char **rest = calloc((size_t) argc + 1, sizeof(char *));
        int n = 0;
        bool dashdash = false;

        if (!rest)
                return -ENOMEM;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (dashdash || strcmp(a, "--") != 0) {
                        if (dashdash || a[0] != '-') {
                                rest[n++] = argv[i];
                                continue;
                        }
                } else {
                        dashdash = true;
                        rest[n++] = argv[i];
                        continue;
                }
                if (strcmp(a, "--json") == 0)
                        arg_json = true;
                else if (strcmp(a, "--no-legend") == 0)
                        arg_legend = false;
                else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                        help();
                        free(rest);
                        return 0;
                } else if (strcmp(a, "--version") == 0) {
                        printf("novactl %s\n", PACKAGE_VERSION);
                        free(rest);
                        return 0;
                } else if (strcmp(a, "-H") == 0 || strcmp(a, "--host") == 0 || str_has_prefix(a, "-H") ||
                           str_has_prefix(a, "--host=")) {
                        const char *h = a[1] == 'H' ? (a[2] ? a + 2 : argv[++i]) : strchr(a, '=') ? strchr(a, '=') + 1 : argv[++i];
                        if (!h || !*h || h[0] == '-') {
                                log_error("-H wants [USER@]HOST");
                                free(rest);
                                return -EINVAL;
                        }
                        if (strv_push(&arg_hosts, (char *) h) < 0) {
                                free(rest);
                                return -ENOMEM;
                        }
                } else
                        rest[n++] = argv[i]; /* the verb's own option */
        }
        *ret_argc = n;
        *ret_argv = rest;
        return 1;
}

static int dispatch(const Verb *v, int argc, char **argv, Fleet *fleet) {
        int r = v->dispatch(argc, argv, fleet);

        if (r < 0) {
                log_error("%s", strerror(-r));
                return exit_code_from_errno(r);
        }
        return r;
}

/* Once locally, or once per -H host; the first failure is the exit code,
 * but every host is tried. */
static int run_verb(const Verb *v, int argc, char **argv) {
        Fleet fleet = { .n = strv_length(arg_hosts) };
        int r, ret = 0;

        if (fleet.n > 0 && !(v->flags & VERB_REMOTE)) {
                log_error("%s works on the local host only (it needs its /proc and cgroupfs); "
                          "run it there: ssh HOST novactl %s", v->name, v->name);
                return NOVACTL_EXIT_USAGE;
        }
        if (fleet.n > 1 && !(v->flags & VERB_FLEET)) {
                log_error("%s takes one -H; several are for count, status, memory and ensure", v->name);
                return NOVACTL_EXIT_USAGE;
        }
        if (fleet.n == 0)
                return dispatch(v, argc, argv, &fleet);
        for (fleet.index = 0; fleet.index < fleet.n; fleet.index++) {
                arg_host = arg_hosts[fleet.index];
                if (fleet.n > 1 && !arg_json && strcmp(v->name, "count") != 0)
                        printf("%s%s:\n", fleet.index > 0 ? "\n" : "", arg_host);
                fflush(stdout);
                r = dispatch(v, argc, argv, &fleet);
                ret = ret ?: r;
        }
        if (fleet.n > 1 && !arg_json && strcmp(v->name, "count") == 0)
                printf("%" PRIu64 "\ttotal\n", fleet.total);
        return json_fleet_flush() ?: ret;
}

int main(int argc, char **argv) {
        _cleanup_(freep) char **args = NULL;
        int n = 0, r;

        r = parse_global(argc, argv, &n, &args);
        if (r == -ENOMEM)
                return log_oom();
        if (r <= 0)
                return r == 0 ? NOVACTL_EXIT_OK : NOVACTL_EXIT_USAGE;
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
