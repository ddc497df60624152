#pragma once

/* Whether a host can run nova-agent-host at all: the checks of the
 * preconditions step, against a root directory ("" for the real one, a
 * fixture tree in tests). Each returns 0 when the host passes, or a negative
 * errno with a one-line explanation for the admin in *ret_reason:
 *   -EOPNOTSUPP  the host cannot be made to work by this tool
 *   other        the file could not be read */

/* cgroup v2 alone at /sys/fs/cgroup (read from <root>/proc/self/mountinfo
 * through libmount), with the memory and pids controllers listed in
 * <root>/sys/fs/cgroup/cgroup.controllers. */
int host_check_cgroup2(const char *root, char **ret_reason);

/* Pressure stall information: <root>/proc/pressure/memory exists. */
int host_check_psi(const char *root, char **ret_reason);

/* systemd is PID 1: <root>/run/systemd/system is a directory (sd_booted()'s
 * test) and <root>/proc/1/comm says "systemd". */
int host_check_systemd(const char *root, char **ret_reason);

/* The filesystem type and the filesystem options ("size=…,mode=…") of the
 * mount visible at target in a mountinfo-format file (through libmount);
 * -ENOENT when nothing is mounted there. */
int host_mount_at(const char *mountinfo, const char *target, char **ret_fstype, char **ret_options);
