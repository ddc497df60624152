/* novactl's global options and the settings every verb reads: where the
 * configuration and runtime state live, which host it talks to. */

#include <errno.h>
#include <string.h>

#include "novactl.h"
#include "str-util.h"

bool arg_json = false;
bool arg_legend = true;
const char *arg_host = NULL;
char **arg_hosts = NULL;

int log_oom(void) {
        log_error("out of memory");
        return -ENOMEM;
}

/* The table in novactl.h; a verb's only way from an errno to its exit code. */
int exit_code_from_errno(int r) {
        switch (r) {
        case 0:
                return NOVACTL_EXIT_OK;
        case -EINVAL:
                return NOVACTL_EXIT_USAGE;
        case -ENXIO:
                return NOVACTL_EXIT_NO_AGENT;
        case -EBUSY:
                return NOVACTL_EXIT_ADMISSION;
        case -EREMOTEIO:
        case -EACCES:
        case -EPERM:
        case -EROFS:
                return NOVACTL_EXIT_BUS;
        case -ECANCELED:
        case -ETIMEDOUT:
                return NOVACTL_EXIT_JOB;
        case -EEXIST:
                return NOVACTL_EXIT_RUNNING;
        case -EAGAIN:
                return NOVACTL_EXIT_NOT_RELIEVED;
        default:
                return NOVACTL_EXIT_FAILURE;
        }
}

const char *novactl_confdir(void) {
        return agents_confdir();
}
const char *novactl_rundir(void) {
        return agents_rundir();
}
const char *novactl_proc_root(void) {
        return dir_from_env("NOVACTL_PROC_ROOT", "/proc");
}
const char *novactl_cgroup_root(void) {
        return dir_from_env("NOVACTL_CGROUP_ROOT", "/sys/fs/cgroup");
}

int parse_global(int argc, char **argv, GlobalAction *ret_action, int *ret_argc, char ***ret_argv) {
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
                        free(rest);
                        *ret_action = GLOBAL_HELP;
                        return 0;
                } else if (strcmp(a, "--version") == 0) {
                        free(rest);
                        *ret_action = GLOBAL_VERSION;
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
        *ret_action = GLOBAL_RUN;
        *ret_argc = n;
        *ret_argv = rest;
        return 0;
}

