#pragma once

/* An agent's /tmp and /var/tmp, on the workspace filesystem (issue 15).
 *
 * PrivateTmp= would put them on the root filesystem (a tmpfs on Debian 13:
 * RAM), outside the agent's DiskMax= and outside the filesystem disk
 * admission watches. Instead the root prepare step makes, at every start,
 *     <workspaces>/.tmp/NAME/tmp and .../var-tmp
 * empty (whatever the last run left is removed first), 01777 and root's as a
 * real /tmp, and the unit binds them over /tmp and /var/tmp (BindPaths=).
 * <workspaces>/.tmp and .tmp/NAME are root's 0700, as systemd's own
 * /tmp/systemd-private-*: no agent reaches another's, and an agent cannot
 * replace its directories by links (it may not write where they are named).
 * ".tmp" is no agent name (names begin with a letter or digit). With
 * DiskMax= they carry the workspace's project ID (agent-exec-disk.c).
 * All functions return 0 or a negative errno. */

#include <stdint.h>

#define AGENT_TMP_SUBDIR ".tmp"

/* The two directories below <workspaces>/.tmp/NAME, and where each is bound. */
#define AGENT_TMP_DIRS { "tmp", "var-tmp" }

/* Empties (removes and makes again) workspaces_dir/.tmp/name/{tmp,var-tmp};
 * never follows a symlink. */
int agent_tmp_prepare(const char *workspaces_dir, const char *name);

/* Gives both directories project ID id (with the inherit flag). */
int agent_tmp_assign_project(const char *workspaces_dir, const char *name, uint32_t id);

/* Removes workspaces_dir/.tmp/name (0 when there is none). */
int agent_tmp_remove(const char *workspaces_dir, const char *name);

/* Whether /tmp and /var/tmp here are workspaces_dir/.tmp/name's (the unit's
 * BindPaths= in effect): 0, or -EXDEV when either is another directory. */
int agent_tmp_verify(const char *workspaces_dir, const char *name);
