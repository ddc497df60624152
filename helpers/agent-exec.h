#pragma once

/* The parts of nova-agent-exec (one program; this header joins its files). */

#include <sys/types.h>

#include "agent-config.h"
#include "macro.h"

/* One line on stderr (the unit's journal), prefixed "nova-agent-exec: ". */
void log_error(const char *format, ...) _printf_(1, 2);
int log_oom(void);

/* $NAME if set and not empty, else fallback: the tests' scratch directories. */
const char *dir_from_env(const char *variable, const char *fallback);

/* The agent's RuntimeDirectory= (its runtime files, its credentials) and its
 * scratch directory (/run/nova/scratch/NAME), both created by systemd at the
 * start (root's, 0711) and removed at the stop; NULL when not there. */
const char *runtime_directory(void);
const char *scratch_directory(void);

/* --prepare, as root: decrypts the agent's credentials (credential.h) into
 * dir/credentials, owned by uid (-EBADMSG, logged, if one cannot be). */
int credentials_prepare(const char *name, const char *dir, uid_t uid);

/* --prepare: the agent's own scratch directory, SCRATCH_SUBDIR below the
 * root-owned scratch_directory(), owned by uid (none without one). */
#define SCRATCH_SUBDIR "data"
int scratch_prepare(uid_t uid);

/* Every identity failure is this one errno, and exit status 5. */
#define IDENTITY_ERRNO EUSERS

/* --prepare, as root: claims agent name's own UID, hands it its default
 * workspace (if c's workspace is that one); dir (the runtime directory) stays
 * root's. */
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
