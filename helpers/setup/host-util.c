#include <errno.h>
#include <libmount.h>
#include <string.h>
#include <sys/stat.h>

#include "file-util.h"
#include "host-util.h"
#include "macro.h"
#include "str-util.h"

static void mnt_unref_tablep(struct libmnt_table **t) {
        mnt_unref_table(*t);
}

/* The filesystem type mounted last (the visible one) at target, or NULL. */
static const char *mounted_fstype(struct libmnt_table *tb, const char *target) {
        struct libmnt_fs *fs = mnt_table_find_target(tb, target, MNT_ITER_BACKWARD);
        return fs ? mnt_fs_get_fstype(fs) : NULL;
}

static bool word_in(const char *list, const char *word) {
        size_t n = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || strchr(WHITESPACE, p[-1])) && (!p[n] || strchr(WHITESPACE, p[n])))
                        return true;
        return false;
}

int host_check_cgroup2(const char *root, char **ret_reason) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = mnt_new_table();
        _cleanup_(freep) char *mountinfo = str_printf("%s/proc/self/mountinfo", root);
        _cleanup_(freep) char *controllers_path = str_printf("%s/sys/fs/cgroup/cgroup.controllers", root);
        _cleanup_(freep) char *controllers = NULL;
        int r;

        if (!tb || !mountinfo || !controllers_path)
                return -ENOMEM;
        r = mnt_table_parse_file(tb, mountinfo);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", mountinfo, strerror(-r));

        const char *type = mounted_fstype(tb, "/sys/fs/cgroup");
        if (!type || strcmp(type, "cgroup2") != 0) {
                const char *unified = mounted_fstype(tb, "/sys/fs/cgroup/unified");
                const char *what = !type ? "nothing is mounted at /sys/fs/cgroup"
                                   : unified && strcmp(unified, "cgroup2") == 0
                                           ? "the host runs the hybrid cgroup hierarchy (v1 controllers)"
                                           : "the host runs cgroup v1";
                return error_set(ret_reason, -EOPNOTSUPP,
                                 "%s; per-agent memory limits need the unified hierarchy: boot with "
                                 "systemd.unified_cgroup_hierarchy=1 (and without cgroup_no_v1=)",
                                 what);
        }

        r = read_file_full(controllers_path, 4096, &controllers, NULL);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", controllers_path, strerror(-r));
        for (const char *const *c = (const char *const[]) { "memory", "pids", NULL }; *c; c++)
                if (!word_in(controllers, *c))
                        return error_set(ret_reason, -EOPNOTSUPP,
                                         "the %s controller is not available in cgroup v2 (cgroup.controllers: %s)",
                                         *c, str_strip(controllers));
        return 0;
}

int host_check_psi(const char *root, char **ret_reason) {
        _cleanup_(freep) char *path = str_printf("%s/proc/pressure/memory", root);
        struct stat st;

        if (!path)
                return -ENOMEM;
        if (stat(path, &st) < 0) {
                if (errno != ENOENT)
                        return error_set(ret_reason, -errno, "%s: %s", path, strerror(errno));
                return error_set(ret_reason, -EOPNOTSUPP,
                                 "no /proc/pressure/memory: the kernel lacks CONFIG_PSI or was booted "
                                 "with psi=0; memory relief needs pressure stall information");
        }
        return 0;
}

int host_check_systemd(const char *root, char **ret_reason) {
        _cleanup_(freep) char *dir = str_printf("%s/run/systemd/system", root);
        _cleanup_(freep) char *comm_path = str_printf("%s/proc/1/comm", root), *comm = NULL;
        struct stat st;

        if (!dir || !comm_path)
                return -ENOMEM;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(ret_reason, -EOPNOTSUPP,
                                 "systemd is not the init system (no /run/systemd/system); agents are systemd units");
        /* Only root may read PID 1's comm on hardened hosts; the directory test decides then. */
        if (read_file_full(comm_path, 4096, &comm, NULL) == 0 && strcmp(str_strip(comm), "systemd") != 0)
                return error_set(ret_reason, -EOPNOTSUPP, "PID 1 is \"%s\", not systemd", str_strip(comm));
        return 0;
}

int host_mount_at(const char *mountinfo, const char *target, char **ret_fstype, char **ret_options) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = mnt_new_table();
        int r;

        if (!tb)
                return -ENOMEM;
        r = mnt_table_parse_file(tb, mountinfo);
        if (r < 0)
                return r;
        struct libmnt_fs *fs = mnt_table_find_target(tb, target, MNT_ITER_BACKWARD);
        if (!fs)
                return -ENOENT;
        const char *type = mnt_fs_get_fstype(fs), *opts = mnt_fs_get_fs_options(fs);
        _cleanup_(freep) char *t = strdup(type ? type : ""), *o = strdup(opts ? opts : "");
        if (!t || !o)
                return -ENOMEM;
        *ret_fstype = TAKE_PTR(t);
        *ret_options = TAKE_PTR(o);
        return 0;
}
