#pragma once

/* Readers of the numbers novactl and the relief daemon decide on: the host's
 * /proc/meminfo and an agent's cgroup v2 files. Each takes its root or
 * directory as a parameter (fixture trees in tests) and fills *ret only on
 * success. Values are bytes; AGENT_CGROUP_UNKNOWN marks a file that is
 * absent or unreadable (memory.peak before Linux 5.19, a cgroup that went
 * away between listing and reading), AGENT_CGROUP_MAX the literal "max". */

#include <stdbool.h>
#include <stdint.h>

#include "cgroup-util.h"

typedef struct HostMemory {
        uint64_t total;     /* MemTotal */
        uint64_t available; /* MemAvailable */
} HostMemory;

/* <proc_root>/meminfo (proc_root NULL: /proc). -EBADMSG when MemTotal or
 * MemAvailable is missing or malformed, or MemAvailable > MemTotal. */
int host_memory_read(const char *proc_root, HostMemory *ret);

/* The "full avg10" of a PSI file's text ("some avg10=… \nfull avg10=1.50
 * avg60=…"): the share of the last ~10 s in which every non-idle task
 * stalled on memory, in percent. -EBADMSG without such a line. */
int psi_full_avg10_parse(const char *text, double *ret);
/* Of <proc_root>/pressure/memory; -ENOENT on a kernel without PSI. */
int host_memory_pressure_read(const char *proc_root, double *ret_full_avg10);

/* Used = MemTotal - MemAvailable, as a percentage of MemTotal. */
double host_memory_used_percent(const HostMemory *m);

typedef struct AgentCgroup {
        uint64_t memory_current;
        uint64_t memory_peak;
        uint64_t memory_max;   /* may be AGENT_CGROUP_MAX */
        uint64_t oom_kill;     /* "oom_kill" of memory.events */
        uint64_t pids_current;
        int populated;         /* "populated" of cgroup.events: 0, 1, or -1 unknown */
} AgentCgroup;

/* Reads the files of one cgroup directory (e.g.
 * /sys/fs/cgroup/nova.slice/nova-agents.slice/nova-agent@NAME.service).
 * -ENOENT when the directory itself is gone; a missing file inside it is
 * AGENT_CGROUP_UNKNOWN, not an error. */
int agent_cgroup_read(const char *dir, AgentCgroup *ret);
