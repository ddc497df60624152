/* novactl's one error convention (issue 13): every helper returns 0 or a
 * negative errno, and exit_code_from_errno() alone turns it into the exit
 * code of novactl(1). Here: every row of that table (novactl.h), and the
 * errno of the helpers that run without a bus, on fixtures in a scratch
 * directory ($NOVA_AGENTS_RUNDIR, $NOVA_AGENTS_CONFDIR, $NOVACTL_CGROUP_ROOT).
 * Their messages go to stderr; what is checked is the errno. */

#include <errno.h>
#include <string.h>

#include "admission.h"
#include "novactl.h"
#include "relief-config.h"
#include "test-util.h"

static void test_exit_codes(void) {
        static const struct {
                int r, code;
                const char *what;
        } rows[] = {
                { 0, NOVACTL_EXIT_OK, "success" },
                { -EINVAL, NOVACTL_EXIT_USAGE, "usage" },
                { -ENXIO, NOVACTL_EXIT_NO_AGENT, "no such agent" },
                { -EBUSY, NOVACTL_EXIT_ADMISSION, "admission" },
                { -EREMOTEIO, NOVACTL_EXIT_BUS, "a D-Bus error" },
                { -EACCES, NOVACTL_EXIT_BUS, "permission denied" },
                { -EPERM, NOVACTL_EXIT_BUS, "operation not permitted" },
                { -EROFS, NOVACTL_EXIT_BUS, "read-only file system" },
                { -ECANCELED, NOVACTL_EXIT_JOB, "a job did not succeed" },
                { -ETIMEDOUT, NOVACTL_EXIT_JOB, "a job still runs at the deadline" },
                { -EEXIST, NOVACTL_EXIT_RUNNING, "already running" },
                { -EAGAIN, NOVACTL_EXIT_NOT_RELIEVED, "not relieved" },
                /* Everything else is an internal error; these are the ones
                 * that would be easy to take for a row above. */
                { -ENOMEM, NOVACTL_EXIT_FAILURE, "out of memory" },
                { -ENOENT, NOVACTL_EXIT_FAILURE, "a missing file is not a missing agent" },
                { -EIO, NOVACTL_EXIT_FAILURE, "an I/O error is not a failed job" },
                { -EBADMSG, NOVACTL_EXIT_FAILURE, "a malformed file is not a usage error" },
                { -ETIME, NOVACTL_EXIT_FAILURE, "bus-wait-jobs' errno of \"timeout\" is not passed on" },
                { -ECONNREFUSED, NOVACTL_EXIT_FAILURE, "an errno of no row" },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                is_int(exit_code_from_errno(rows[i].r), rows[i].code, "exit_code_from_errno(%d): %s", rows[i].r,
                       rows[i].what);
}

static void test_bus_log_error(void) {
        sd_bus_error no_unit = SD_BUS_ERROR_MAKE_CONST("org.freedesktop.systemd1.NoSuchUnit", "Unit x not loaded."),
                     denied = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_ACCESS_DENIED, "Access denied");

        is_int(bus_log_error("t", &no_unit, -ENOENT), -ENXIO, "NoSuchUnit: no such agent (not -ENOENT)");
        is_int(bus_log_error("t", &denied, -EACCES), -EREMOTEIO, "a D-Bus error: -EREMOTEIO");
        is_int(bus_log_error("t", NULL, -ETIMEDOUT), -EREMOTEIO, "a call's timeout is a bus error, not a job's");
        is_int(bus_log_error("t", NULL, -EINVAL), -EREMOTEIO, "sd-bus's -EINVAL is not a usage error");
        is_int(bus_log_error("t", NULL, -ENOMEM), -ENOMEM, "-ENOMEM stays");
}

static void test_check_agent_names(void) {
        is_int(check_agent_names((char *[]) { (char *) "a1", (char *) "agent-002", NULL }), 0, "valid names");
        is_int(check_agent_names((char *[]) { (char *) "a1", (char *) "a/b", NULL }), -EINVAL, "one invalid name");
        is_int(check_agent_names((char *[]) { NULL }), 0, "no names");
}

static void write_admission(const char *dir, const char *text) {
        _cleanup_(freep) char *p = str_printf("%s/" ADMISSION_FILE, dir);
        if (!p || test_write_file(p, text, strlen(text)) < 0)
                bail_out("cannot write the admission fixture");
}

static void test_check_admission(const char *run) {
        _cleanup_(freep) char *file = str_printf("%s/" ADMISSION_FILE, run);

        is_int(check_admission("a1"), 0, "no admission file: open");
        write_admission(run, "state=open\n");
        is_int(check_admission("a1"), 0, "state=open");
        write_admission(run, "state=closed\nsince=1700000000000000\nreason=used 86%\n");
        is_int(check_admission("a1"), -EBUSY, "state=closed: -EBUSY");
        write_admission(run, "state=maybe\n");
        is_int(check_admission("a1"), -EBUSY, "a bad state: -EBUSY too (fail closed)");
        if (!file || unlink(file) < 0 || mkdir(file, 0755) < 0)
                bail_out("cannot make the admission file a directory");
        is_int(check_admission("a1"), -EBUSY, "an unreadable state: -EBUSY too");
        (void) rmdir(file);
}

static void test_admit_once(const char *run) {
        _cleanup_(freep) char *token = str_printf("%s/a1.admit", run);

        is_int(admit_once("a1"), 0, "admit_once() writes its token");
        ok(token && access(token, F_OK) == 0, "the token <rundir>/a1.admit exists");
        admit_forget("a1");
        ok(token && access(token, F_OK) < 0 && errno == ENOENT, "admit_forget() removes it");

        _cleanup_(freep) char *gone = str_printf("%s/nonexistent", run);
        if (!gone || setenv("NOVA_AGENTS_RUNDIR", gone, 1) < 0)
                bail_out("setenv");
        int r = admit_once("a1");
        is_int(r, -ENOENT, "no runtime directory: the write's own errno");
        is_int(exit_code_from_errno(r), NOVACTL_EXIT_FAILURE, "which is an internal error, not \"no such agent\"");
        if (setenv("NOVA_AGENTS_RUNDIR", run, 1) < 0)
                bail_out("setenv");
}

static void test_relief_config_get(const char *conf) {
        _cleanup_(freep) char *file = str_printf("%s/reliefd.conf", conf);
        ReliefConfig c = {};

        if (!file)
                bail_out("out of memory");
        is_int(relief_config_get(&c), 0, "no reliefd.conf: the defaults");
        relief_config_done(&c);
        if (test_write_file(file, "ReliefTargetPercent=60\n", 23) < 0)
                bail_out("cannot write reliefd.conf");
        is_int(relief_config_get(&c), 0, "a good reliefd.conf");
        ok(c.target_percent == 60, "its ReliefTargetPercent= is read");
        relief_config_done(&c);
        if (test_write_file(file, "Bogus=1\n", 8) < 0)
                bail_out("cannot write reliefd.conf");
        is_int(relief_config_get(&c), -EINVAL, "a bad reliefd.conf: -EINVAL (usage, the operator's file)");
        relief_config_done(&c);
        if (unlink(file) < 0 || mkdir(file, 0755) < 0)
                bail_out("cannot make reliefd.conf a directory");
        is_int(relief_config_get(&c), -EINVAL, "an unreadable reliefd.conf: -EINVAL too");
        relief_config_done(&c);
        (void) rmdir(file);
}

/* <cgroup root>/nova.slice/nova-agents.slice/nova-agent@NAME.service/cgroup.events,
 * the directories below root made on the way. */
static void write_events(const char *root, const char *name, const char *text) {
        _cleanup_(freep) char *file = str_printf("%s" AGENT_SLICE_CGROUP "/" AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX
                                                 "/cgroup.events", root, name);

        if (!file)
                bail_out("out of memory");
        for (char *slash = file + strlen(root) + 1; (slash = strchr(slash, '/')); *slash++ = '/') {
                *slash = '\0';
                if (mkdir(file, 0755) < 0 && errno != EEXIST)
                        bail_out("cannot make the cgroup fixture's directories");
        }
        if (test_write_file(file, text, strlen(text)) < 0)
                bail_out("cannot write the cgroup fixture");
}

static void test_agent_wait_empty(const char *root) {
        write_events(root, "busy", "populated 1\nfrozen 0\n");
        write_events(root, "idle", "populated 0\nfrozen 0\n");

        is_int(agent_wait_empty(AGENT_UNIT_PREFIX "idle" AGENT_UNIT_SUFFIX, 1000), 0, "an empty cgroup");
        is_int(agent_wait_empty(AGENT_UNIT_PREFIX "gone" AGENT_UNIT_SUFFIX, 1000), 0, "a cgroup that is gone");
        int r = agent_wait_empty(AGENT_UNIT_PREFIX "busy" AGENT_UNIT_SUFFIX, 20 * 1000);
        is_int(r, -ETIMEDOUT, "still populated at the deadline: -ETIMEDOUT");
        is_int(exit_code_from_errno(r), NOVACTL_EXIT_JOB, "exit code 6, as before");
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();
        _cleanup_(freep) char *run = str_printf("%s/run", tmp), *conf = str_printf("%s/conf", tmp),
                              *cg = str_printf("%s/cgroup", tmp);

        if (!run || !conf || !cg || mkdir(run, 0755) < 0 || mkdir(conf, 0755) < 0 || mkdir(cg, 0755) < 0 ||
            setenv("NOVA_AGENTS_RUNDIR", run, 1) < 0 || setenv("NOVA_AGENTS_CONFDIR", conf, 1) < 0 ||
            setenv("NOVACTL_CGROUP_ROOT", cg, 1) < 0)
                bail_out("cannot set up the fixture directories");

        test_exit_codes();
        test_bus_log_error();
        test_check_agent_names();
        test_check_admission(run);
        test_admit_once(run);
        test_relief_config_get(conf);
        test_agent_wait_empty(cg);
        (void) test_rm_rf(tmp);
        return done_testing();
}
