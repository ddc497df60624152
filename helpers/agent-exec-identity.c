/* nova-agent-exec: the agent's own identity (agent-identity.h) at prepare,
 * start and release. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-exec.h"
#include "agent-identity.h"
#include "agent-tmp.h"
#include "agent-workspace.h"
#include "privilege.h"
#include "str-util.h"

static const char *records_dir(void) {
        return dir_from_env("NOVA_AGENTS_USERDB", "/run/userdb");
}

const char *workspaces_dir(void) {
        return dir_from_env("NOVA_AGENTS_WORKSPACES", AGENT_WORKSPACES_DIR);
}

static const char *private_dir(void) {
        return dir_from_env("NOVA_AGENTS_PRIVATE_WORKSPACES", AGENT_PRIVATE_WORKSPACES_DIR);
}

/* Only the default place is ours to create and hand over; a Workspace=
 * elsewhere is the admin's, with the owner and mode the admin chose. */
static int default_workspace(const char *name, const AgentConfig *c, bool *ret) {
        _cleanup_(freep) char *path = str_printf("%s/%s", workspaces_dir(), name);

        if (!path)
                return log_oom();
        *ret = strcmp(path, c->workspace) == 0;
        return 0;
}

static int claim(const char *name, const AgentConfig *c, uid_t *ret_uid) {
        _cleanup_(freep) char *runtime = str_printf("%s/" AGENT_RUNTIME_SUBDIR,
                                                    agents_rundir());
        AgentIdentityHost host = { .runtime_dir = runtime, .workspaces_dir = workspaces_dir() };
        AgentIdentityProbe probe = agent_identity_probe_host(&host);
        uid_t preferred = 0;
        int r;

        if (!runtime)
                return log_oom();
        (void) agent_workspace_owner(workspaces_dir(), private_dir(), name, &preferred);
        r = agent_identity_claim(records_dir(), name, c->workspace, preferred, &probe, ret_uid);
        if (r == -EUSERS)
                log_error("no free agent identity: all %u UIDs %u-%u are held by running agents",
                          AGENT_UID_COUNT, (unsigned) AGENT_UID_MIN, (unsigned) AGENT_UID_MAX);
        else if (r == -EADDRINUSE)
                log_error("cannot claim an identity: user or group \"" AGENT_USER_PREFIX "%s\" already exists outside the agent pool",
                          name);
        else if (r < 0)
                log_error("cannot claim an identity in %s: %s", records_dir(), strerror(-r));
        return r < 0 ? -IDENTITY_ERRNO : 0;
}

int identity_prepare(const char *name, const AgentConfig *c, const char *dir, uid_t *ret_uid) {
        unsigned long changed = 0;
        bool ours = false;
        uid_t uid;
        int r;

        r = default_workspace(name, c, &ours);
        if (r < 0)
                return r;
        r = disk_check(c, ours);
        if (r < 0)
                return r;
        r = claim(name, c, &uid);
        if (r < 0)
                return r;
        if (ours) {
                r = agent_workspace_adopt(workspaces_dir(), name, uid, &changed);
                if (r == -ELOOP)
                        log_error("workspace %s is still a link into %s (DynamicUser= layout): "
                                  "run nova-agent-exec --migrate-workspaces as root (the package's postinst does)",
                                  c->workspace, private_dir());
                else if (r < 0)
                        log_error("workspace %s: cannot hand it to UID %u: %s", c->workspace, (unsigned) uid, strerror(-r));
                if (r < 0) {
                        (void) agent_identity_release(records_dir(), name);
                        return -ENOTDIR;
                }
                if (changed > 1)
                        fprintf(stderr, "nova-agent-exec: workspace %s handed to UID %u (%lu inodes)\n",
                                c->workspace, (unsigned) uid, changed);
        }
        r = agent_tmp_prepare(workspaces_dir(), name);
        if (r < 0) {
                log_error("cannot empty the /tmp and /var/tmp of %s in %s/" AGENT_TMP_SUBDIR ": %s", name,
                          workspaces_dir(), strerror(-r));
                r = -ENOTDIR;
        } else if (ours)
                r = disk_apply(name, c, workspaces_dir());
        if (r < 0) {
                if (ours)
                        (void) agent_workspace_lock(workspaces_dir(), name);
                (void) agent_identity_release(records_dir(), name);
                return r;
        }
        /* The runtime directory stays root's: systemd would make it root's
         * again before ExecStart= (and then chown all of it), see
         * credentials_prepare(). */
        *ret_uid = uid;
        return 0;
}

int identity_migrate_workspaces(void) {
        unsigned moved = 0;
        int r;

        r = agent_workspace_migrate_all(workspaces_dir(), private_dir(), &moved);
        if (r < 0) {
                log_error("cannot move the workspaces in %s back to %s: %s", private_dir(), workspaces_dir(),
                          strerror(-r));
                return -ENOTDIR;
        }
        if (moved > 0)
                printf("nova-agent-exec: moved %u workspaces back from %s\n", moved, private_dir());
        return 0;
}

int identity_release(const char *name) {
        int r, k;

        /* Both, whatever the first says: a workspace left open is a leak to
         * the UID's next holder, a UID never released shrinks the pool. */
        r = agent_workspace_lock(workspaces_dir(), name);
        if (r < 0)
                log_error("workspace of %s: cannot lock it: %s", name, strerror(-r));
        k = agent_identity_release(records_dir(), name);
        if (k < 0)
                log_error("cannot release the identity of %s in %s: %s", name, records_dir(), strerror(-k));
        return r < 0 || k < 0 ? -IDENTITY_ERRNO : 0;
}

int identity_become(const char *name, const AgentConfig *c) {
        _cleanup_(freep) char *user = str_printf(AGENT_USER_PREFIX "%s", name);
        uid_t uid;
        int r;

        if (!user)
                return log_oom();
        if (geteuid() != 0)
                return 0;

        r = agent_identity_lookup(records_dir(), name, &uid);
        if (r < 0) {
                log_error("no identity claimed for agent %s in %s (%s): refusing to run it as root",
                          name, records_dir(), r == -ENOENT ? "none" : strerror(-r));
                return -IDENTITY_ERRNO;
        }
        r = privileges_drop(uid, (gid_t) uid);
        if (r < 0) {
                log_error("cannot become UID %u: %s", (unsigned) uid, strerror(-r));
                return -IDENTITY_ERRNO;
        }
        if (setenv("USER", user, 1) < 0 || setenv("LOGNAME", user, 1) < 0 || setenv("HOME", c->workspace, 1) < 0)
                return log_oom();
        return 0;
}
