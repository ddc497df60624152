#pragma once

#include <sys/types.h>

/* Readers of /proc and cgroupfs take their root as a parameter, so tests
 * run on fixture trees without root or a particular host. */

/* The cgroup v2 (unified hierarchy) path of process pid (0: the caller), from
 * the "0::PATH" line of <proc_root>/<pid>/cgroup; proc_root NULL means /proc.
 * -ENOMEDIUM when the process is in no v2 hierarchy (a pure cgroup v1 host),
 * -EIDRM when its cgroup has been removed, -EBADMSG for a malformed line. */
int cgroup_self_path(const char *proc_root, pid_t pid, char **ret);

/* Where the unified hierarchy is mounted: /sys/fs/cgroup on a cgroup v2 host,
 * /sys/fs/cgroup/unified on a hybrid one. -ENOMEDIUM when neither is. */
int cgroup_unified_mountpoint(const char **ret);
