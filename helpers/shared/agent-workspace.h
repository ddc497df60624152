#pragma once

/* The default workspaces, and handing one to its agent's own UID.
 *
 * An agent's default workspace is AGENT_WORKSPACES_DIR/NAME, 0700, owned by
 * the agent's UID and GID (agent-identity.h); the directory above is 0711, so
 * an agent reaches its own but cannot list the others. Up to 0.x the unit had
 * DynamicUser= and StateDirectory=, which kept the workspace in
 * AGENT_PRIVATE_WORKSPACES_DIR/NAME behind a symlink, owned by the one UID
 * every agent shared: the first start after the upgrade moves it back and
 * hands its files to the agent's own UID. */

#include <sys/types.h>

#define AGENT_WORKSPACES_DIR LOCALSTATEDIR "/lib/nova-agents/workspaces"

/* Each agent's RuntimeDirectory= is <rundir>/agents/NAME: one level below
 * root's own files in <rundir> (admission, relief-inflight, NAME.conf, …),
 * so that no agent name can make systemd take, and at stop remove, one of
 * them as an agent's runtime directory. */
#define AGENT_RUNTIME_SUBDIR "agents"
#define AGENT_PRIVATE_WORKSPACES_DIR LOCALSTATEDIR "/lib/private/nova-agents/workspaces"

/* systemd's DynamicUser= range (compiled in; UIDS-GIDS.md). */
#define DYNAMIC_UID_MIN ((uid_t) 61184)
#define DYNAMIC_UID_MAX ((uid_t) 65519)

/* The owner of agent name's workspace as it is now, wherever it is (the
 * preferred UID of a claim, so that a restart needs no chown): -ENOENT when
 * there is none yet. */
int agent_workspace_owner(const char *workspaces_dir, const char *private_dir, const char *name, uid_t *ret);

/* Moves every DynamicUser-era workspace back from private_dir (run as root
 * on the host, by the package's postinst). *ret_moved: how many. */
int agent_workspace_migrate_all(const char *workspaces_dir, const char *private_dir, unsigned *ret_moved);

/* Makes workspaces_dir/name a 0700 directory owned by uid:uid, creating a
 * missing one (-ELOOP: still a DynamicUser-era link, not migrated). When it
 * last belonged to another UID, every inode below it owned by an agent UID
 * (the pool's or a dynamic one) becomes uid's; files of anyone else (root, a
 * login user) keep their owner. Never follows a symlink, never crosses into
 * another filesystem. *ret_changed: inodes chowned. */
int agent_workspace_adopt(const char *workspaces_dir, const char *name, uid_t uid,
                          unsigned long *ret_changed);

/* Before a stopped agent's UID goes to another agent (agent-identity.h), its
 * workspace becomes root's (0700), so that the UID's next holder cannot
 * enter it; the UID it had is kept in the trusted.nova.uid attribute (only
 * root can set it), so the agent's next start can ask for the same UID and
 * skip the walk. No workspace (or a symlink, never followed): 0. */
int agent_workspace_lock(const char *workspaces_dir, const char *name);

/* Changes every inode of the tree at directory dfd owned by an agent UID
 * other than uid to uid (and likewise for groups); fd-based, so a tree
 * changing under it cannot redirect a chown outside it. */
int chown_tree_agent_ids(int dfd, uid_t uid, unsigned long *changed);
