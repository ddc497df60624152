/* nova-agent-exec --prepare: the soft deadline's record (soft-deadline.h)
 * for nova-reliefd, which sends the SIGUSR1. Written last, after every
 * other step succeeded: a start that fails leaves no deadline behind. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-exec.h"
#include "cgroup-util.h"
#include "soft-deadline.h"
#include "str-util.h"

/* The inode of our own cgroup directory: --prepare runs in the agent's
 * cgroup (ExecStartPre=), and its '+' keeps it out of the agent's cgroup
 * namespace, so the path is the full one. */
static int own_cgroup_id(uint64_t *ret) {
        _cleanup_(freep) char *dir = NULL;
        struct stat st;
        int r;

        r = cgroup_self_dir(&dir);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("soft deadline: cannot find this process's cgroup: %s", strerror(-r));
                return -EIO;
        }
        if (stat(dir, &st) < 0) {
                log_error("soft deadline: %s: %s", dir, strerror(errno));
                return -EIO;
        }
        *ret = (uint64_t) st.st_ino;
        return 0;
}

int deadline_prepare(const char *name, const AgentConfig *c) {
        const char *rundir = agents_rundir();
        SoftDeadline s = { .soft_usec = c->soft_deadline_usec };
        int r;

        /* None: a record of an earlier run must not make reliefd look. */
        if (s.soft_usec == 0)
                r = soft_deadline_remove(rundir, name);
        else {
                r = own_cgroup_id(&s.cgroup_id);
                if (r < 0)
                        return r;
                r = soft_deadline_write(rundir, name, &s);
        }
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("%s/" SOFT_DEADLINE_SUBDIR "/%s: %s", rundir, name, strerror(-r));
                return -EIO;
        }
        return 0;
}

void deadline_mark_started(void) {
        const char *dir = runtime_directory();
        int r;

        if (!dir)
                return; /* run by hand, not by the unit */
        r = soft_deadline_mark_started(dir);
        if (r < 0) /* not fatal: nova-reliefd then counts from the fork */
                log_warning("%s/" SOFT_DEADLINE_STARTED ": %s", dir, strerror(-r));
}
