/* nova-agent-exec --prepare: DiskMax= on the agent's default workspace and
 * its /tmp and /var/tmp (agent-tmp.h) through one project quota
 * (project-quota.h). Checked before a UID is claimed (a refusal leaves
 * nothing behind), applied after the workspace is handed over. Without
 * DiskMax=, a filesystem with project quotas still gets the workspace's
 * project ID and no limit, so novactl can show its use. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "agent-exec.h"
#include "agent-tmp.h"
#include "project-quota.h"

/* The workspace, or while it does not exist yet the directory it will be
 * created in: the filesystem that will hold it. */
static int open_fs(const char *workspace) {
        _cleanup_(freep) char *parent = strdup(workspace);
        int fd = open(workspace, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd >= 0 || errno != ENOENT || !parent)
                return fd >= 0 ? fd : -errno;
        *strrchr(parent, '/') = '\0';
        fd = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : -errno;
}

int disk_check(const AgentConfig *c, bool default_workspace) {
        const char *reason = NULL;

        if (c->disk_max == 0)
                return 0;
        if (!default_workspace) {
                log_error("DiskMax= is refused: it limits the default workspace only, and Workspace=%s is another",
                          c->workspace);
                return -DISK_ERRNO;
        }
        _cleanup_(closep) int fd = open_fs(c->workspace);
        if (fd < 0) {
                log_error("DiskMax= is refused: cannot open %s: %s", c->workspace, strerror(-fd));
                return -DISK_ERRNO;
        }
        int r = project_quota_supported(fd, &reason);
        if (r < 0) {
                log_error("DiskMax= is refused: %s: %s", c->workspace, r == -EOPNOTSUPP ? reason : strerror(-r));
                return -DISK_ERRNO;
        }
        return 0;
}

int disk_apply(const char *name, const AgentConfig *c, const char *workspaces_dir) {
        _cleanup_(closep) int fd = open(c->workspace, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        unsigned long changed = 0;
        uint32_t id;
        int r;

        if (fd < 0) {
                log_error("workspace %s: %s", c->workspace, strerror(errno));
                return -DISK_ERRNO;
        }
        if (project_quota_supported(fd, NULL) < 0)
                return c->disk_max > 0 ? -DISK_ERRNO : 0; /* disk_check() said yes: changed meanwhile */
        r = project_quota_id(fd, &id);
        if (r >= 0)
                r = project_quota_assign(fd, id, &changed);
        if (r >= 0)
                r = agent_tmp_assign_project(workspaces_dir, name, id); /* /tmp and /var/tmp count too */
        if (r >= 0)
                r = project_quota_set_limit(fd, id, c->disk_max);
        if (r < 0) {
                log_error("workspace %s of %s: cannot set its project quota: %s", c->workspace, name, strerror(-r));
                return c->disk_max > 0 ? -DISK_ERRNO : 0;
        }
        if (changed > 1)
                fprintf(stderr, "nova-agent-exec: workspace %s: project %u on %lu inodes\n", c->workspace,
                        (unsigned) id, changed);
        return 0;
}
