#pragma once

#include <stdint.h>
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

/* The caller's own cgroup directory: the unified mountpoint joined with
 * cgroup_self_path() (the root cgroup is the mountpoint itself, no trailing
 * slash). Errors as those two. */
int cgroup_self_dir(char **ret);

/* The processes listed in <cgroup_dir>/cgroup.procs whose parent (from
 * <proc_root>/PID/stat; NULL means /proc) is not listed there too: for a
 * service, its main process (plus any daemon that re-parented itself to
 * PID 1). Processes that exit meanwhile are left out. *ret is NULL when
 * there are none. */
int cgroup_top_level_pids(const char *proc_root, const char *cgroup_dir, pid_t **ret, size_t *ret_n);

/* The pids in <cgroup_dir>/cgroup.procs, in its order; *ret is NULL when
 * there are none. -ENOENT when the cgroup is gone. */
int cgroup_procs(const char *cgroup_dir, pid_t **ret, size_t *ret_n);

/* Field 22 of <proc_root>/PID/stat (NULL: /proc): when the process started,
 * in clock ticks (sysconf(_SC_CLK_TCK)) since boot, rounded down; CLOCK_BOOTTIME. */
int proc_start_ticks(const char *proc_root, pid_t pid, uint64_t *ret);

/* The process of <cgroup_dir>/cgroup.procs that started first, and its
 * start: for a service past its ExecStartPre=, its main process (the one
 * systemd forked for ExecStart=; what it forks starts later). -ESRCH when
 * none is left. */
int cgroup_first_started(const char *proc_root, const char *cgroup_dir, pid_t *ret_pid, uint64_t *ret_ticks);

/* Sends sig to pid through a pidfd, if pid is still a process of unit (its
 * cgroup path in <proc_root>/PID/cgroup ends in "/UNIT"): a PID read from
 * cgroup.procs can be reused before the signal. -ESRCH when it has exited
 * or is not unit's. */
int cgroup_signal_pid(const char *proc_root, pid_t pid, const char *unit, int sig);

/* The values of cgroup files in bytes or tasks: AGENT_CGROUP_UNKNOWN marks
 * a file that is absent or unreadable, AGENT_CGROUP_MAX the literal "max". */
#define AGENT_CGROUP_UNKNOWN UINT64_MAX
#define AGENT_CGROUP_MAX (UINT64_MAX - 1)

/* Parses one cgroup value file's text: a decimal number or "max". */
int cgroup_value_parse(const char *text, uint64_t *ret);

/* The value of "key N" in a flat-keyed file text (memory.events,
 * cgroup.events); -ENOENT if the key is not there. */
int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret);

/* A value file (memory.current, pids.current) in the cgroup directory
 * dirfd: one openat() per file, no path walk (reliefd reads every agent). */
int cgroup_read_u64_at(int dirfd, const char *file, uint64_t *ret);
/* "key N" of a flat-keyed file (memory.events) in the cgroup directory
 * dirfd: the errno of the read, or of cgroup_keyed_value(). */
int cgroup_read_keyed_at(int dirfd, const char *file, const char *key, uint64_t *ret);

/* SIGKILL to every process in <dir> and its descendants, at once, by the
 * kernel (cgroup.kill, Linux >= 5.14): no round trip to PID 1. -ENOENT when
 * the cgroup is gone or the kernel has no cgroup.kill, -EACCES for a caller
 * that may not write it (only root may). */
int cgroup_kill(const char *dir);

/* "populated" of <dir>/cgroup.events: 1 or 0; -ENOENT when the cgroup is
 * gone (which also means empty), -EBADMSG when the key is missing. */
int cgroup_populated(const char *dir);
