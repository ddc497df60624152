/* Step "sysctl": the kernel limits of the package's sysctl.d file in effect
 * now, not only after the next boot. A value of ours is a bound: a higher
 * limit (or a lower vm.swappiness) set by the admin stays, so only the keys
 * below their bound are applied, with systemd-sysctl --prefix=KEY on our
 * file: the same parser and the same file as at boot. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "setup.h"
#include "str-util.h"
#include "sysctl-util.h"

#define PROC_SYS "/proc/sys"

/* Limits the package does not set (systemd raises them at boot; a static
 * value could only lower them) but that agents need: checked, reported. */
static const struct {
        const char *key, *min;
} unset_minimums[] = {
        { "fs.file-max", "2097152" }, /* the seed's value */
        { "fs.nr_open", "1048576" },  /* LimitNOFILE=1048576 of agents needs it */
};

static SysctlBound key_bound(const char *key) {
        return strcmp(key, "vm.swappiness") == 0 ? SYSCTL_AT_MOST : SYSCTL_AT_LEAST;
}

static int run_systemd_sysctl(char **keys) {
        _cleanup_(strv_freep) char **argv = NULL;
        int status;

        char *a0 = strdup(SYSTEMD_SYSCTL);
        if (!a0 || strv_push(&argv, a0) < 0) {
                free(a0);
                return -ENOMEM;
        }
        for (char **k = keys; *k; k++) {
                char *p = str_printf("--prefix=%s", *k);
                if (!p || strv_push(&argv, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
        }
        char *path = strdup(SYSCTL_CONF);
        if (!path || strv_push(&argv, path) < 0) {
                free(path);
                return -ENOMEM;
        }

        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* Keys of entries below their bound, and the text describing them. */
static int sysctl_below(SysctlEntry *e, size_t n, char ***ret_keys, char **reason) {
        _cleanup_(strv_freep) char **keys = NULL;

        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *v = NULL;
                int r = sysctl_value_read(PROC_SYS, e[i].key, &v);
                if (r < 0)
                        return error_set(reason, r, "%s: %s", e[i].key, strerror(-r));
                if (sysctl_value_satisfies(v, e[i].value, key_bound(e[i].key)))
                        continue;
                reason_append(reason, "%s %s -> %s", e[i].key, v, e[i].value);
                char *k = strdup(e[i].key);
                if (!k || strv_push(&keys, k) < 0) {
                        free(k);
                        return -ENOMEM;
                }
        }
        *ret_keys = TAKE_PTR(keys);
        return 0;
}

/* The limits no file of ours sets: a shortfall is a failure to report, not to fix. */
static int check_unset(char **reason) {
        for (size_t i = 0; i < ELEMENTSOF(unset_minimums); i++) {
                _cleanup_(freep) char *v = NULL;
                int r = sysctl_value_read(PROC_SYS, unset_minimums[i].key, &v);
                if (r < 0)
                        return error_set(reason, r, "%s: %s", unset_minimums[i].key, strerror(-r));
                if (!sysctl_value_satisfies(v, unset_minimums[i].min, SYSCTL_AT_LEAST))
                        return error_set(reason, -ERANGE, "%s = %s, below %s (normally raised by systemd at boot)",
                                         unset_minimums[i].key, v, unset_minimums[i].min);
                reason_append(reason, "%s %s >= %s", unset_minimums[i].key, v, unset_minimums[i].min);
        }
        struct stat st;
        if (stat(LIMITS_CONF, &st) < 0)
                return error_set(reason, -errno, "%s missing: login sessions keep nofile 1024", LIMITS_CONF);
        reason_append(reason, "nofile 1048576 via %s", LIMITS_CONF);
        return 0;
}

int step_sysctl(Setup *s, char **ret_reason) {
        _cleanup_(strv_freep) char **keys = NULL, **still = NULL;
        _cleanup_(freep) char *reason = NULL, *unset = NULL, *after = NULL;
        SysctlEntry *e = NULL;
        size_t n = 0;
        int r;

        r = sysctl_conf_read(SYSCTL_CONF, &e, &n);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", SYSCTL_CONF, strerror(-r));
        r = sysctl_below(e, n, &keys, &reason);
        if (r >= 0 && keys && setup_writes(s)) {
                r = run_systemd_sysctl(keys);
                if (r < 0)
                        reason_append(&reason, SYSTEMD_SYSCTL " failed on %s", SYSCTL_CONF);
                else {
                        /* Verified, not assumed: a read-only /proc/sys (containers) fails silently. */
                        r = sysctl_below(e, n, &still, &after);
                        if (r >= 0 && still) {
                                reason_append(&reason, "still below after " SYSTEMD_SYSCTL ": %s", after);
                                r = -EPERM;
                        }
                }
        }
        sysctl_entries_free(e, n);
        if (r < 0) {
                *ret_reason = TAKE_PTR(reason);
                return r;
        }

        r = check_unset(&unset);
        if (r < 0) {
                *ret_reason = TAKE_PTR(unset);
                return r;
        }
        if (!keys) {
                *ret_reason = str_printf("%zu keys of %s at their bounds; %s", n, SYSCTL_CONF, unset);
                return 0;
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}
