#pragma once

/* What `status` and `memory` show, gathered once: the agents' units from
 * systemd, their numbers from cgroupfs, the host's from /proc/meminfo, and
 * the admission state. Shared by novactl-status.c and novactl-memory.c. */

#include <json-c/json.h>

#include "admission.h"
#include "disk-fill.h"
#include "host-memory.h"
#include "novactl.h"

static inline void json_object_putp(json_object **o) {
        json_object_put(*o);
}

typedef struct AgentInfo {
        AgentUnit u;
        AgentCgroup cg;           /* all AGENT_CGROUP_UNKNOWN when the cgroup is gone */
        uint64_t age_usec;        /* since it became active; UINT64_MAX unknown */
        uint64_t deadline_usec;   /* time left to RuntimeMaxSec; UINT64_MAX none */
        char *workspace;          /* NULL when the configuration is unreadable (not root) */
        uint64_t disk_used;       /* the workspace's project quota (issue 15): bytes held, */
        uint64_t disk_max;        /* and its limit (0: none); UINT64_MAX unknown (not root, no quotas) */
        uint64_t entered_usec;    /* scratch: the run's start, CLOCK_REALTIME */
        uint64_t runtime_max_usec;/* scratch: RuntimeMaxUSec */
} AgentInfo;

typedef struct Overview {
        AgentInfo *agents;
        size_t n;
        HostMemory host;
        bool host_known;          /* false on a remote host (-H) */
        AgentCgroup slice;
        AdmissionState admission;
        bool admission_known;
        DiskFill disk;            /* the workspaces' filesystem */
        bool disk_known;
} Overview;

void overview_done(Overview *o);
/* states: which agents to list (see bus_list_agents()); names: only these
 * (NULL: all). with_details: age, deadline and workspace too (extra bus
 * calls and file reads per agent). An agent named but not found is reported
 * and makes the result -ENXIO, after the others were gathered (*ret is set
 * then); -EIO: /proc/meminfo unreadable; bus errors as bus_list_agents(). */
int overview_gather(sd_bus *bus, char *const *states, char **names, bool with_details, Overview *ret);

/* The stable JSON form (novactl(1) documents the keys). */
int overview_to_json(const Overview *o, json_object **ret);
/* The summary lines under a table. */
void overview_print_footer(const Overview *o);
/* The columns status and memory share, as text ("-" when unknown). */
typedef struct AgentCells {
        char memory[32], peak[32], max_percent[16], oom_kills[24], tasks[24], disk[32], age[32];
} AgentCells;
void agent_info_cells(const AgentInfo *a, AgentCells *ret);
/* Percentage of memory.max in use, or a negative number when unknown/unlimited. */
double agent_info_max_percent(const AgentInfo *a);
/* Whether to colour: stdout a TTY and NO_COLOR unset or empty. */
bool use_color(void);
/* Prints o (pretty, stable key order); with several -H, collects it.
 * -ENOMEM, -EIO (stdout). */
int json_print(json_object *o);
/* Prints what json_print() collected over several -H, as one array. */
int json_fleet_flush(void);
