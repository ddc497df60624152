/* The readers behind nova-setup-host's checks on fixtures
 * (tests/data/setup/): /proc/swaps through libmount, mountinfo lookups,
 * the cgroup v2/PSI/systemd preconditions on fake roots, sysctl bounds. */

#include <string.h>
#include <sys/stat.h>

#include "host-util.h"
#include "swap-util.h"
#include "sysctl-util.h"
#include "test-util.h"

static void test_swaps(void) {
        _cleanup_(freep) char *three = test_data_path("setup/swaps/three"), *empty = test_data_path("setup/swaps/empty");
        _cleanup_(freep) char *missing = test_data_path("setup/swaps/missing");
        _cleanup_(strv_freep) char **l = NULL, **e = NULL, **m = NULL;

        is_int(swaps_active(three, &l), 0, "swaps: three areas parsed");
        is_int((long long) strv_length(l), 3, "swaps: three sources");
        is_str(l ? l[0] : NULL, "/dev/sda2", "swaps: a partition");
        is_str(l && l[0] ? l[1] : NULL, "/srv/swap files/one", "swaps: a file, \\040 unescaped");
        is_str(l && l[0] && l[1] ? l[2] : NULL, "/dev/zram0", "swaps: zram");
        is_int(swaps_active(empty, &e), 0, "swaps: header only");
        ok(e && !e[0], "swaps: header only is an empty list");
        ok(swaps_active(missing, &m) < 0 && !m, "swaps: a missing file is an error, nothing returned");
}

static void test_mount_at(void) {
        _cleanup_(freep) char *v2 = test_data_path("setup/mountinfo/v2"), *over = test_data_path("setup/mountinfo/overmounted");
        _cleanup_(freep) char *type = NULL, *opts = NULL, *t2 = NULL, *o2 = NULL;

        is_int(host_mount_at(v2, "/run/nova/scratch", &type, &opts), 0, "mountinfo: scratch found");
        is_str(type, "tmpfs", "mountinfo: scratch is tmpfs");
        ok(opts && strstr(opts, "size=204800k") && strstr(opts, "mode=1777"), "mountinfo: size and mode options");
        is_int(host_mount_at(v2, "/srv", &t2, &o2), -ENOENT, "mountinfo: nothing at /srv");
        is_int(host_mount_at(over, "/run/nova/scratch", &t2, &o2), 0, "mountinfo: another fs at the scratch path");
        is_str(t2, "ext4", "mountinfo: reported as what it is");
}

/* A fake root: proc/self/mountinfo from a fixture, and the other files if asked. */
static char *fake_root(const char *mountinfo, const char *controllers, bool psi, bool systemd_dir, const char *comm) {
        char *root = test_mkdtemp();
        _cleanup_(freep) char *src = test_data_path(mountinfo), *text = NULL;
        size_t size = 0;
        FILE *f = fopen(src, "re");

        if (!f)
                bail_out("cannot open a mountinfo fixture");
        text = calloc(1, 65536);
        if (!text)
                bail_out("out of memory");
        size = fread(text, 1, 65535, f);
        fclose(f);

        const char *dirs[] = { "proc", "proc/self", "proc/pressure", "proc/1", "sys", "sys/fs", "sys/fs/cgroup",
                               "run", "run/systemd", NULL };
        for (const char **d = dirs; *d; d++) {
                _cleanup_(freep) char *p = str_printf("%s/%s", root, *d);
                if (!p || mkdir(p, 0755) < 0)
                        bail_out("cannot build a fake root");
        }
        _cleanup_(freep) char *mi = str_printf("%s/proc/self/mountinfo", root);
        _cleanup_(freep) char *ctl = str_printf("%s/sys/fs/cgroup/cgroup.controllers", root);
        _cleanup_(freep) char *mem = str_printf("%s/proc/pressure/memory", root);
        _cleanup_(freep) char *sd = str_printf("%s/run/systemd/system", root);
        _cleanup_(freep) char *cm = str_printf("%s/proc/1/comm", root);
        if (!mi || !ctl || !mem || !sd || !cm || test_write_file(mi, text, size) < 0)
                bail_out("cannot build a fake root");
        if (controllers && test_write_file(ctl, controllers, strlen(controllers)) < 0)
                bail_out("cannot build a fake root");
        if (psi && test_write_file(mem, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 48) < 0)
                bail_out("cannot build a fake root");
        if (systemd_dir && mkdir(sd, 0755) < 0)
                bail_out("cannot build a fake root");
        if (comm && test_write_file(cm, comm, strlen(comm)) < 0)
                bail_out("cannot build a fake root");
        return root;
}

static void test_preconditions(void) {
        static const char ctl_all[] = "cpuset cpu io memory hugetlb pids rdma misc\n";
        struct {
                const char *mountinfo, *controllers, *comm;
                bool psi, systemd;
                int cg, psi_r, sd;
                const char *why, *reason;
        } cases[] = {
                { "setup/mountinfo/v2", ctl_all, "systemd\n", true, true, 0, 0, 0, "cgroup v2 host", NULL },
                { "setup/mountinfo/hybrid", ctl_all, "systemd\n", true, true, -EOPNOTSUPP, 0, 0, "hybrid", "hybrid" },
                { "setup/mountinfo/v1", ctl_all, "systemd\n", true, true, -EOPNOTSUPP, 0, 0, "cgroup v1", "cgroup v1" },
                { "setup/mountinfo/overmounted", ctl_all, "systemd\n", true, true, -EOPNOTSUPP, 0, 0,
                  "cgroup2 hidden under a tmpfs", "cgroup v1" },
                { "setup/mountinfo/v2", "cpu io pids\n", "systemd\n", true, true, -EOPNOTSUPP, 0, 0, "no memory controller", "memory" },
                { "setup/mountinfo/v2", "cpu memory io\n", "systemd\n", true, true, -EOPNOTSUPP, 0, 0, "no pids controller", "pids" },
                { "setup/mountinfo/v2", "cpu mymemory pidsx\n", "systemd\n", true, true, -EOPNOTSUPP, 0, 0,
                  "controller names match as words", "memory" },
                { "setup/mountinfo/v2", NULL, "systemd\n", true, true, -ENOENT, 0, 0, "no cgroup.controllers", "cgroup.controllers" },
                { "setup/mountinfo/v2", ctl_all, "systemd\n", false, true, 0, -EOPNOTSUPP, 0, "no PSI", "CONFIG_PSI" },
                { "setup/mountinfo/v2", ctl_all, "init\n", true, true, 0, 0, -EOPNOTSUPP, "PID 1 is not systemd", "\"init\"" },
                { "setup/mountinfo/v2", ctl_all, "systemd\n", true, false, 0, 0, -EOPNOTSUPP, "no /run/systemd/system",
                  "/run/systemd/system" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *root = fake_root(cases[i].mountinfo, cases[i].controllers, cases[i].psi,
                                                        cases[i].systemd, cases[i].comm);
                _cleanup_(freep) char *r1 = NULL, *r2 = NULL, *r3 = NULL;

                is_int(host_check_cgroup2(root, &r1), cases[i].cg, "%s: cgroup check", cases[i].why);
                is_int(host_check_psi(root, &r2), cases[i].psi_r, "%s: PSI check", cases[i].why);
                is_int(host_check_systemd(root, &r3), cases[i].sd, "%s: systemd check", cases[i].why);
                const char *reason = r1 ? r1 : r2 ? r2 : r3;
                if (cases[i].reason)
                        ok(reason && strstr(reason, cases[i].reason), "%s: the reason names \"%s\"", cases[i].why,
                           cases[i].reason);
                else
                        ok(!reason, "%s: no reason on success", cases[i].why);
                test_rm_rf(root);
        }
}

static void test_sysctl(void) {
        _cleanup_(freep) char *conf = test_data_path("setup/sysctl/nova.conf"), *bad = test_data_path("setup/sysctl/bad.conf");
        _cleanup_(freep) char *procsys = test_data_path("setup/sysctl/proc-sys");
        SysctlEntry *e = NULL, *b = NULL;
        size_t n = 0, nb = 0;

        is_int(sysctl_conf_read(conf, &e, &n), 0, "sysctl: conf parsed");
        is_int((long long) n, 5, "sysctl: 5 entries, comments skipped");
        if (n == 5) {
                is_str(e[1].key, "fs.inotify.max_user_watches", "sysctl: key trimmed");
                is_str(e[1].value, "1048576", "sysctl: value trimmed");
                is_str(e[2].key, "vm.swappiness", "sysctl: leading '-' dropped");
                is_str(e[4].value, "4096 131072 6291456", "sysctl: blanks in a list value collapsed");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_(freep) char *v = NULL;
                        is_int(sysctl_value_read(procsys, e[i].key, &v), 0, "sysctl: read %s", e[i].key);
                        static const char *const want[] = { "4194304", "524288", "60", "2", "4096 131072 6291456" };
                        is_str(v, want[i], "sysctl: value of %s", e[i].key);
                }
        }
        sysctl_entries_free(e, n);
        is_int(sysctl_conf_read(bad, &b, &nb), -EBADMSG, "sysctl: a line without '=' is refused");
        _cleanup_(freep) char *v = NULL;
        is_int(sysctl_value_read(procsys, "kernel/../x", &v), -EINVAL, "sysctl: '..' in a key is refused");

        ok(sysctl_value_satisfies("4194304", "4194304", SYSCTL_AT_LEAST), "bound: equal is enough");
        ok(sysctl_value_satisfies("33554432", "16777216", SYSCTL_AT_LEAST), "bound: higher limit kept (never lowered)");
        ok(!sysctl_value_satisfies("524288", "1048576", SYSCTL_AT_LEAST), "bound: lower limit is drift");
        ok(sysctl_value_satisfies("1", "10", SYSCTL_AT_MOST), "bound: swappiness below 10 is fine");
        ok(!sysctl_value_satisfies("60", "10", SYSCTL_AT_MOST), "bound: swappiness 60 is drift");
        ok(sysctl_value_satisfies("4096 131072 8388608", "4096 131072 6291456", SYSCTL_AT_LEAST), "bound: lists element-wise");
        ok(!sysctl_value_satisfies("4096 65536 8388608", "4096 131072 6291456", SYSCTL_AT_LEAST), "bound: one element low");
        ok(!sysctl_value_satisfies("4096 131072", "4096 131072 6291456", SYSCTL_AT_LEAST), "bound: lengths differ");
        ok(sysctl_value_satisfies("bbr", "bbr", SYSCTL_AT_LEAST), "bound: words compare equal");
        ok(!sysctl_value_satisfies("cubic", "bbr", SYSCTL_AT_LEAST), "bound: different words");
        ok(!sysctl_value_satisfies("99999999999999999999999", "1", SYSCTL_AT_LEAST), "bound: overflow is not a number");
}

int main(void) {
        test_swaps();
        test_mount_at();
        test_preconditions();
        test_sysctl();
        return done_testing();
}
