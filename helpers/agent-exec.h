#pragma once

/* The parts of nova-agent-exec (one program; this header joins its files). */

#include <stdbool.h>
#include <sys/types.h>

#include "agent-config.h"
#include "agent-unit.h"
#include "log.h"
#include "macro.h"

/* log_error("out of memory"), and -ENOMEM. */
int log_oom(void);


/* The workspace exists and is a directory: -ENOTDIR (logged) if not. */
int workspace_verify(const char *workspace);

/* --prepare, as root, in this order: the --force token consumed (admission.h),
 * the agent's identity claimed (identity_prepare()), its workspace checked, the
 * merged configuration written to its runtime directory, its credentials,
 * scratch directory and soft deadline's record; each step logs its failure. */
int prepare_agent(const char *name, const AgentConfig *c);

/* The agent's RuntimeDirectory= (its runtime files, its credentials) and its
 * scratch directory (/run/nova/scratch/NAME), both created by systemd at the
 * start (root's, 0711) and removed at the stop; NULL when not there. */
const char *runtime_directory(void);
const char *scratch_directory(void);

/* The default workspaces' directory ($NOVA_AGENTS_WORKSPACES in tests). */
const char *workspaces_dir(void);

/* --prepare, as root: decrypts the agent's credentials (credential.h) into
 * dir/credentials, owned by uid (-EBADMSG, logged, if one cannot be). */
int credentials_prepare(const char *name, const char *dir, uid_t uid);

/* --prepare: the agent's own scratch directory, SCRATCH_SUBDIR below the
 * root-owned scratch_directory(), owned by uid (none without one). */
#define SCRATCH_SUBDIR "data"
int scratch_prepare(uid_t uid);

/* --prepare, last: the soft deadline's record of this run in
 * <rundir>/soft-deadline/NAME (soft-deadline.h), or none without one. */
int deadline_prepare(const char *name, const AgentConfig *c);
/* The launcher, as it begins (still root): the start the deadline counts
 * from (SOFT_DEADLINE_STARTED in its runtime directory). */
void deadline_mark_started(void);

/* Under systemd, stdout is a socket whose other end (journald) has hung up:
 * journald refused the stream (past its cap). */
bool output_refused(void);
/* Says so through syslog(3), as stderr is that same stream: -EPIPE (exit
 * status 7). */
int output_refusal(const char *name);
/* --prepare, first: while stdout is the journal, refuses the start (the
 * same way, -EPIPE) when agents would take the host's share of journald's
 * streams (journal_streams_for_agents()). */
int output_reserve_check(const char *name);

/* Every identity failure is this one errno, and exit status 5. */
#define IDENTITY_ERRNO EUSERS

/* Every DiskMax= failure is this errno, and exit status 6. */
#define DISK_ERRNO EDQUOT

/* --prepare: DiskMax= with a Workspace= other than the default, or on a
 * filesystem without enforced project quotas, is refused (one line why). */
int disk_check(const AgentConfig *c, bool default_workspace);
/* --prepare, after the workspace was handed over and the agent's /tmp and
 * /var/tmp below workspaces_dir made: their project ID and the limit (none
 * without DiskMax=); a failure matters only with DiskMax=. */
int disk_apply(const char *name, const AgentConfig *c, const char *workspaces_dir);

/* --prepare, as root: claims agent name's own UID, hands it its default
 * workspace (if c's workspace is that one), empties its /tmp and /var/tmp
 * (agent-tmp.h); dir (the runtime directory) stays root's. */
int identity_prepare(const char *name, const AgentConfig *c, const char *dir, uid_t *ret_uid);

/* --migrate-workspaces: agent_workspace_migrate_all() with our directories. */
int identity_migrate_workspaces(void);

/* --release (by hand; the unit has no ExecStopPost=): locks the default
 * workspace, gives the UID back. */
int identity_release(const char *name);

/* ExecStart=: as root, become the user identity_prepare() claimed; as anyone
 * else, stay who we are (an admin's User= drop-in, a test). Sets USER,
 * LOGNAME and HOME. */
int identity_become(const char *name, const AgentConfig *c);

/* Becomes the agent's user, enters the workspace, sets the environment and
 * executes Command=; returns only on failure (-ENOTDIR, -ENOENT: not found,
 * -ENOEXEC: cannot execute, -IDENTITY_ERRNO). */
int exec_agent(const char *name, const AgentConfig *c);
