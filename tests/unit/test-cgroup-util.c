/* cgroup_self_path() on the /proc fixtures in tests/data/proc/. */

#include <string.h>

#include "cgroup-util.h"
#include "test-util.h"

static const struct {
        const char *root;
        pid_t pid;
        int r;
        const char *path;
        const char *why;
} cases[] = {
        { "v2", 0, 0, "/nova.slice/nova-agents.slice/nova-agent@agent-001.service", "cgroup v2, self" },
        { "v2", 4242, 0, "/user.slice/user-1000.slice/session-3.scope", "cgroup v2, a pid" },
        { "hybrid", 0, 0, "/system.slice/nova-agent@agent-002.service", "hybrid: the 0:: line among v1 lines" },
        { "root", 0, 0, "/", "the root cgroup" },
        { "v1", 0, -ENOMEDIUM, NULL, "pure cgroup v1: no 0:: line" },
        { "deleted", 0, -EIDRM, NULL, "a removed cgroup" },
        { "malformed", 0, -EBADMSG, NULL, "a relative path" },
        { "v2", 4243, -ENOENT, NULL, "no such process" },
        { "v2", -1, -EINVAL, NULL, "a negative pid" },
};

static void test_fixtures(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *rel = str_printf("proc/%s", cases[i].root);
                _cleanup_(freep) char *root = rel ? test_data_path(rel) : NULL;
                char *path = NULL;

                if (!root)
                        bail_out("out of memory");
                int r = cgroup_self_path(root, cases[i].pid, &path);
                is_int(r, cases[i].r, "%s: result", cases[i].why);
                is_str(path, cases[i].path, "%s: path", cases[i].why);
                free(path);
        }
}

/* The host's own answer is not known in advance, only its shape. */
static void test_host(void) {
        _cleanup_(freep) char *path = NULL;
        const char *mountpoint = NULL;

        int r = cgroup_self_path(NULL, 0, &path);
        ok((r == 0 && path && path[0] == '/') || (r == -ENOMEDIUM && !path),
           "this host: a path starting with '/', or none (%d)", r);

        r = cgroup_unified_mountpoint(&mountpoint);
        ok((r == 0 && (strcmp(mountpoint, "/sys/fs/cgroup") == 0 ||
                       strcmp(mountpoint, "/sys/fs/cgroup/unified") == 0)) ||
                   (r == -ENOMEDIUM && !mountpoint),
           "this host: v2 mounted at one of the two places, or not at all (%d)", r);
}

/* The agent's tree, listed child first: 1001 bash (parent PID 1) -> 1002 make -> 1003 with
 * ')' in its name; 1004 re-parented itself to PID 1; 1005 has exited
 * (no stat); 1006's name mimics a stat line with parent 1. */
static void test_top_level(void) {
        _cleanup_(freep) char *proc = test_data_path("proc/tree");
        _cleanup_(freep) char *agent = test_data_path("cgroup/procs-agent");
        _cleanup_(freep) char *empty = test_data_path("cgroup/procs-empty");
        _cleanup_(freep) char *missing = test_data_path("cgroup/no-such-unit");
        pid_t *pids = NULL;
        size_t n = 99;

        if (!proc || !agent || !empty || !missing)
                bail_out("out of memory");
        int r = cgroup_top_level_pids(proc, agent, &pids, &n);
        is_int(r, 0, "top-level pids of an agent: result");
        is_int((int) n, 2, "two top-level processes: the main one and the re-parented one");
        ok(n == 2 && pids[0] == 1001 && pids[1] == 1004, "they are 1001 and 1004 (1003, whose parent is listed before 1001, is not)");
        free(pids);

        r = cgroup_top_level_pids(proc, empty, &pids, &n);
        ok(r == 0 && n == 0 && !pids, "an empty cgroup: none, NULL");
        is_int(cgroup_top_level_pids(proc, missing, &pids, &n), -ENOENT, "a removed cgroup: -ENOENT");
}

int main(void) {
        test_fixtures();
        test_top_level();
        test_host();
        return done_testing();
}
