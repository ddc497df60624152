/* novactl capacity: the seed's "memory limit rationale" table, computed for
 * this host from its MemTotal, the slice's cap, issue 5's admission and
 * relief thresholds and the agents' MemoryMax=; then the limits that are not
 * memory: the UID pool (one UID per running agent), kernel.pid_max (each
 * agent may hold TasksMax=512 tasks), the workspaces' disk (issue 15) and
 * journald's cap on stdout streams (one per running agent). */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "agent-config.h"
#include "agent-identity.h"
#include "agent-info.h"
#include "agent-workspace.h"
#include "journal-streams.h"
#include "relief-config.h"
#include "relief.h"
#include "str-util.h"

/* An instance nobody runs: loading it gives the template's MemoryMax= with
 * the drop-ins every agent gets, without starting anything. */
#define PROBE_UNIT AGENT_UNIT_PREFIX "capacity-probe" AGENT_UNIT_SUFFIX

typedef struct Capacity {
        double close_percent, kill_percent;
        uint64_t total, slice_max, outside, budget, headroom, per_agent;
        uint64_t max_agents, recommended, running;
        uint64_t pid_max, tasks_max, agents_by_pids;
        double used_percent;
        DiskFill disk;            /* size_bytes 0: unreadable */
        double disk_close_percent;
        uint64_t disk_max, agents_by_disk; /* default.conf's DiskMax= (0: none), and how many fit */
        uint64_t journal_streams;  /* journald's cap; 0: agents' output does not go to the journal */
} Capacity;

static int journal_streams(sd_bus *bus, Capacity *c) {
        _cleanup_(freep) char *out = NULL;
        unsigned version;
        int r;

        r = bus_unit_get_string(bus, PROBE_UNIT, "org.freedesktop.systemd1.Service", "StandardOutput", &out);
        if (r >= 0)
                r = bus_manager_version(bus, &version);
        if (r < 0) {
                log_error("cannot read StandardOutput= of %s or the manager's version: %s", PROBE_UNIT, strerror(-r));
                return -EREMOTEIO;
        }
        c->journal_streams = 0;
        if (strncmp(out, "journal", 7) == 0 || strncmp(out, "kmsg", 4) == 0)
                c->journal_streams = journal_streams_max(version);
        return 0;
}

/* The workspaces' filesystem, and how many agents at default.conf's
 * DiskMax= fit below the disk admission threshold. */
static void disk_capacity(Capacity *c, const ReliefConfig *config) {
        _cleanup_(agent_config_freep) AgentConfig *d = NULL;
        _cleanup_(freep) char *path = str_printf("%s/default.conf", novactl_confdir());

        c->disk_close_percent = config->disk_close_percent;
        if (disk_fill_read(NULL, AGENT_WORKSPACES_DIR, &c->disk) < 0)
                c->disk = (DiskFill) {};
        if (path && agent_config_new(&d) >= 0 && agent_config_parse_file(d, path, "capacity-probe", NULL) >= 0)
                c->disk_max = d->disk_max;
        if (c->disk_max > 0)
                c->agents_by_disk = (uint64_t) ((long double) c->disk.size_bytes * c->disk_close_percent / 100) / c->disk_max;
}

/* 0 when unreadable: shown as such, not guessed. */
static uint64_t read_pid_max(void) {
        _cleanup_(freep) char *path = str_printf("%s/sys/kernel/pid_max", novactl_proc_root());
        _cleanup_(fclosep) FILE *f = path ? fopen(path, "re") : NULL;
        uint64_t v = 0;

        if (!f || fscanf(f, "%" SCNu64, &v) != 1)
                return 0;
        return v;
}

static int compute(sd_bus *bus, Capacity *c) {
        _cleanup_(freep) char *slice_dir = agent_slice_dir();
        HostMemory host;
        AgentCgroup slice;
        AgentUnit *units = NULL;
        size_t n = 0;
        int r;

        if (!slice_dir)
                return log_oom();
        r = host_memory_read(novactl_proc_root(), &host);
        if (r < 0) {
                log_error("cannot read %s/meminfo: %s", novactl_proc_root(), strerror(-r));
                return -EIO; /* an internal error whatever the reason */
        }
        ReliefConfig config;
        r = relief_config_get(&config);
        if (r < 0)
                return r;
        *c = (Capacity) { .total = host.total, .used_percent = host_memory_used_percent(&host),
                          .close_percent = config.admission_close_percent, .kill_percent = config.kill_percent };
        disk_capacity(c, &config);
        relief_config_done(&config);
        /* The slice is not realized until an agent has run: then its cap is the unit's 95%. */
        if (agent_cgroup_read(slice_dir, &slice) >= 0 && slice.memory_max < AGENT_CGROUP_MAX)
                c->slice_max = slice.memory_max;
        else
                c->slice_max = (uint64_t) ((long double) host.total * RELIEF_KILL_PERCENT / 100); /* the unit's 95% */
        c->outside = host.total - (c->slice_max < host.total ? c->slice_max : host.total);
        c->budget = (uint64_t) ((long double) host.total * c->close_percent / 100);
        c->headroom = (uint64_t) ((long double) host.total * (c->kill_percent - c->close_percent) / 100);

        r = bus_unit_get_u64(bus, PROBE_UNIT, "org.freedesktop.systemd1.Service", "MemoryMax", &c->per_agent);
        if (r < 0) {
                log_error("cannot read MemoryMax= of %s: %s", PROBE_UNIT, strerror(-r));
                return -EREMOTEIO;
        }
        if (c->per_agent == UINT64_MAX || c->per_agent == 0)
                c->per_agent = c->budget; /* no cap: one agent may take the whole budget */
        c->max_agents = c->budget / c->per_agent;
        /* The seed kept ~8% of the agent budget free for spikes (300 of 325). */
        c->recommended = c->max_agents * 9 / 10;

        r = bus_unit_get_u64(bus, PROBE_UNIT, "org.freedesktop.systemd1.Service", "TasksMax", &c->tasks_max);
        if (r < 0) {
                log_error("cannot read TasksMax= of %s: %s", PROBE_UNIT, strerror(-r));
                return -EREMOTEIO;
        }
        c->pid_max = read_pid_max();
        c->agents_by_pids = c->tasks_max > 0 && c->tasks_max != UINT64_MAX ? c->pid_max / c->tasks_max : 0;

        r = journal_streams(bus, c);
        if (r < 0)
                return r;
        r = bus_list_agents(bus, agent_states_running, NULL, &units, &n);
        agent_units_free(units, n);
        c->running = n;
        return r;
}

static int print_json(const Capacity *c) {
        _cleanup_(json_object_putp) json_object *j = json_object_new_object();
        const struct { const char *key; uint64_t v; } f[] = {
                { "mem_total", c->total },         { "slice_memory_max", c->slice_max },
                { "outside_slice", c->outside },   { "agent_budget", c->budget },
                { "relief_headroom", c->headroom }, { "per_agent_max", c->per_agent },
                { "max_agents", c->max_agents },   { "recommended_agents", c->recommended },
                { "running_agents", c->running },
                { "uid_pool", AGENT_UID_COUNT },   { "pid_max", c->pid_max },
                { "per_agent_tasks_max", c->tasks_max }, { "agents_at_tasks_max", c->agents_by_pids },
                { "workspaces_disk_size", c->disk.size_bytes }, { "workspaces_disk_used", c->disk.used_bytes },
                { "per_agent_disk_max", c->disk_max },  { "agents_at_disk_max", c->agents_by_disk },
                { "journald_stdout_streams_max", c->journal_streams },
                { "journald_stdout_streams_for_agents",
                  c->journal_streams ? journal_streams_for_agents((unsigned) c->journal_streams) : 0 },
        };

        if (!j)
                return log_oom();
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                json_object_object_add(j, f[i].key, json_object_new_int64((int64_t) f[i].v));
        return json_print(j);
}

static int capacity(int argc) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        char a[32], b[32], d[32], e[32], f[32];
        Capacity c;
        int r;

        if (argc > 1) {
                log_error("capacity takes no arguments");
                return -EINVAL;
        }
        r = bus_connect(&bus);
        if (r == 0)
                r = compute(bus, &c);
        if (r < 0)
                return r;
        if (arg_json)
                return print_json(&c);

        printf("Total RAM:                      %10s\n", format_bytes(a, sizeof(a), c.total));
        printf("Kept outside nova-agents.slice: %10s   (the slice's MemoryMax=)\n", format_bytes(b, sizeof(b), c.outside));
        printf("Relief headroom:                %10s   (admission closes at %.0f%%, relief kills at %.0f%%)\n",
               format_bytes(d, sizeof(d), c.headroom), c.close_percent, c.kill_percent);
        printf("Agent budget:                   %10s   (%.0f%% of RAM)\n", format_bytes(e, sizeof(e), c.budget),
               c.close_percent);
        printf("Per-agent limit:                %10s   (MemoryMax=)\n", format_bytes(f, sizeof(f), c.per_agent));
        printf("Max concurrent at the limit:    %10" PRIu64 "\n", c.max_agents);
        printf("Recommended max:                %10" PRIu64 "   (90%%: room for spikes)\n", c.recommended);
        printf("Running now:                    %10" PRIu64 "   (host %.1f%% used)\n", c.running, c.used_percent);
        printf("Agent identities:               %10u   (UIDs %u-%u, one per running agent)\n", AGENT_UID_COUNT,
               (unsigned) AGENT_UID_MIN, (unsigned) AGENT_UID_MAX);
        printf("Kernel pid_max:                 %10" PRIu64 "   (%" PRIu64 " agents at TasksMax=%" PRIu64 " each)\n",
               c.pid_max, c.agents_by_pids, c.tasks_max);
        if (c.journal_streams > 0)
                printf("Journal output streams:         %10" PRIu64 "   (journald's cap; one per running agent and service: agents start "
                       "while fewer than %u are in use, the rest is the host's)\n",
                       c.journal_streams, journal_streams_for_agents((unsigned) c.journal_streams));
        if (c.disk.size_bytes > 0)
                printf("Workspaces' disk:               %10s   (%.1f%% full, inodes %.1f%%; admission closes at %.0f%%)\n",
                       format_bytes(a, sizeof(a), c.disk.size_bytes), c.disk.blocks_percent, c.disk.inodes_percent,
                       c.disk_close_percent);
        if (c.disk_max > 0)
                printf("Agents at DiskMax=:             %10" PRIu64 "   (DiskMax=%s of default.conf, full each)\n",
                       c.agents_by_disk, format_bytes(b, sizeof(b), c.disk_max));
        return 0;
}

int verb_capacity(int argc, _unused_ char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(capacity(argc));
}
