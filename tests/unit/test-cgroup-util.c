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

int main(void) {
        test_fixtures();
        test_host();
        return done_testing();
}
