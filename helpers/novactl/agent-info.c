#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <unistd.h>

#include "agent-config.h"
#include "agent-info.h"
#include "agent-workspace.h"
#include "project-quota.h"
#include "soft-deadline.h"
#include "str-util.h"

#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define SERVICE_IFACE "org.freedesktop.systemd1.Service"

void overview_done(Overview *o) {
        for (size_t i = 0; i < o->n; i++) {
                free(o->agents[i].u.unit);
                free(o->agents[i].u.name);
                free(o->agents[i].u.active_state);
                free(o->agents[i].u.sub_state);
                free(o->agents[i].workspace);
        }
        free(o->agents);
        admission_state_done(&o->admission);
        *o = (Overview) {};
}

static const AgentCgroup cgroup_unknown = {
        AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN,
        AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN, -1,
};

/* Time left from systemd's RuntimeMaxUSec; the age, locally, from the mark
 * the launcher leaves as the run begins (soft-deadline.h: systemd's
 * ActiveEnterTimestamp for Type=exec, to a few ms), a stat() instead of a
 * second bus call per agent (status at 5,000 agents spent most of its time
 * on the bus). On another host (-H) its files are out of reach: there
 * ActiveEnterTimestamp, in wall-clock time (and the clocks' skew). */
static int queue_details(PropBatch *b, AgentInfo *a) {
        int r = 0;

        a->entered_usec = 0;
        a->runtime_max_usec = UINT64_MAX;
        if (arg_host)
                r = prop_batch_add_u64(b, a->u.unit, UNIT_IFACE, "ActiveEnterTimestamp", false, &a->entered_usec);
        if (r >= 0)
                r = prop_batch_add_u64(b, a->u.unit, SERVICE_IFACE, "RuntimeMaxUSec", false, &a->runtime_max_usec);
        return r;
}

static void finish_details(AgentInfo *a, uint64_t now) {
        _cleanup_(agent_config_freep) AgentConfig *config = NULL;

        a->age_usec = a->deadline_usec = UINT64_MAX;
        if (!arg_host && soft_deadline_started_read(novactl_rundir(), a->u.name, &a->entered_usec) < 0)
                a->entered_usec = 0;
        if (a->entered_usec > 0 && a->entered_usec <= now && strcmp(a->u.active_state, "active") == 0) {
                a->age_usec = now - a->entered_usec;
                if (a->runtime_max_usec != UINT64_MAX)
                        a->deadline_usec = a->runtime_max_usec > a->age_usec ? a->runtime_max_usec - a->age_usec : 0;
        }
        /* The merged configuration, as nova-agent-exec would see it; the
         * runtime file is root's (it may hold secrets), so others get NULL. */
        if (!arg_host && agent_config_load(novactl_confdir(), novactl_rundir(), a->u.name, &config, NULL) >= 0)
                a->workspace = TAKE_PTR(config->workspace);
        /* From the project quota: no walk of the tree (root only, like the quota). */
        a->disk_used = a->disk_max = UINT64_MAX;
        _cleanup_(closep) int fd = a->workspace ? open(a->workspace, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -EBADF;
        uint32_t id;
        if (fd >= 0 && (project_quota_id(fd, &id) < 0 || project_quota_get(fd, id, &a->disk_used, &a->disk_max) < 0))
                a->disk_used = a->disk_max = UINT64_MAX;
}

/* On a remote host (-H) cgroupfs is out of reach; PID 1 reads the same
 * files there for MemoryCurrent/TasksCurrent ("[not set]" is UINT64_MAX:
 * unknown). memory.peak and oom_kill have no property in systemd 252. */
static int queue_cgroup(PropBatch *b, const char *unit, const char *iface, AgentCgroup *cg) {
        int r;

        *cg = cgroup_unknown;
        r = prop_batch_add_u64(b, unit, iface, "MemoryCurrent", false, &cg->memory_current);
        if (r >= 0)
                r = prop_batch_add_u64(b, unit, iface, "MemoryMax", true, &cg->memory_max);
        if (r >= 0)
                r = prop_batch_add_u64(b, unit, iface, "TasksCurrent", false, &cg->pids_current);
        return r;
}

static int read_cgroup(const char *name, AgentCgroup *cg) {
        _cleanup_(freep) char *dir = agent_cgroup_dir(name);
        int r;

        if (!dir)
                return -ENOMEM;
        r = agent_cgroup_read(dir, cg);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                *cg = cgroup_unknown;
        return 0;
}

/* Numbers from cgroupfs (or the bus, on -H) and the bus properties of every
 * agent, all requests in flight at once (the slice's too, on -H). */
static int gather_agents(sd_bus *bus, AgentUnit *units, size_t n, bool with_details, Overview *o) {
        _cleanup_(prop_batch_freep) PropBatch *b = NULL;
        int r = 0;

        o->agents = calloc(n ? n : 1, sizeof(AgentInfo));
        if (!o->agents || prop_batch_new(bus, 5 * n + 3, &b) < 0)
                return log_oom();
        for (size_t i = 0; i < n && r >= 0; i++) {
                AgentInfo *a = &o->agents[o->n++];
                a->u = units[i];
                units[i] = (AgentUnit) {};
                r = arg_host ? queue_cgroup(b, a->u.unit, SERVICE_IFACE, &a->cg) : read_cgroup(a->u.name, &a->cg);
                if (r >= 0 && with_details)
                        r = queue_details(b, a);
        }
        if (r >= 0 && arg_host)
                r = queue_cgroup(b, AGENT_SLICE, "org.freedesktop.systemd1.Slice", &o->slice);
        if (r < 0)
                return r == -ENOMEM ? log_oom() : bus_log_error("cannot ask for the agents' properties", NULL, r);
        r = prop_batch_wait(b);
        if (r < 0)
                return r;
        uint64_t now = now_usec(CLOCK_REALTIME);
        for (size_t i = 0; i < o->n; i++)
                if (with_details)
                        finish_details(&o->agents[i], now);
                else
                        o->agents[i].age_usec = o->agents[i].deadline_usec = UINT64_MAX;
        return 0;
}

static int report_missing(const AgentUnit *units, size_t n, char **names) {
        int ret = 0;

        for (char **s = names; s && *s; s++) {
                bool found = false;
                for (size_t i = 0; i < n && !found; i++)
                        found = strcmp(units[i].name, *s) == 0;
                if (!found) {
                        log_error("no such agent: %s", *s);
                        ret = -ENXIO;
                }
        }
        return ret;
}

int overview_gather(sd_bus *bus, char *const *states, char **names, bool with_details, Overview *ret) {
        _cleanup_(strv_freep) char **patterns = NULL;
        _cleanup_(freep) char *slice_dir = agent_slice_dir();
        Overview o = {};
        AgentUnit *units = NULL;
        size_t n = 0;
        int r, missing;

        if (!slice_dir)
                return log_oom();
        for (char **s = names; s && *s; s++) {
                char *p = agent_unit_from_name(*s);
                if (!p || strv_push(&patterns, p) < 0) {
                        free(p);
                        return log_oom();
                }
        }
        r = bus_list_agents(bus, states, patterns, &units, &n);
        if (r < 0)
                return r;
        missing = report_missing(units, n, names);
        r = gather_agents(bus, units, n, with_details, &o);
        agent_units_free(units, n);
        if (r < 0) {
                overview_done(&o);
                return r;
        }

        if (arg_host) {
                /* The remote host's /proc/meminfo and admission file are not on
                 * the bus: unknown (novactl(1), "-H"). */
                *ret = o;
                return missing;
        }
        o.host_known = true;
        r = host_memory_read(novactl_proc_root(), &o.host);
        if (r < 0) {
                log_error("cannot read %s/meminfo: %s", novactl_proc_root(), strerror(-r));
                overview_done(&o);
                return -EIO; /* an internal error whatever the reason: not a usage or permission one */
        }
        if (agent_cgroup_read(slice_dir, &o.slice) < 0)
                o.slice = cgroup_unknown;
        o.admission_known = admission_read(novactl_rundir(), &o.admission, NULL, NULL) >= 0;
        o.disk_known = disk_fill_read(NULL, AGENT_WORKSPACES_DIR, &o.disk) >= 0;
        *ret = o;
        return missing;
}

void agent_info_cells(const AgentInfo *a, AgentCells *ret) {
        AgentCells c = { .max_percent = "-", .oom_kills = "-", .tasks = "-", .disk = "-" };
        double p = agent_info_max_percent(a);

        format_bytes(c.memory, sizeof(c.memory), a->cg.memory_current);
        format_bytes(c.peak, sizeof(c.peak), a->cg.memory_peak);
        if (p >= 0)
                snprintf(c.max_percent, sizeof(c.max_percent), "%.0f%%", p);
        if (a->cg.oom_kill < AGENT_CGROUP_MAX)
                snprintf(c.oom_kills, sizeof(c.oom_kills), "%llu", (unsigned long long) a->cg.oom_kill);
        if (a->cg.pids_current < AGENT_CGROUP_MAX)
                snprintf(c.tasks, sizeof(c.tasks), "%llu", (unsigned long long) a->cg.pids_current);
        if (a->disk_used != UINT64_MAX)
                format_bytes(c.disk, sizeof(c.disk), a->disk_used);
        format_duration(c.age, sizeof(c.age), a->age_usec);
        *ret = c;
}

double agent_info_max_percent(const AgentInfo *a) {
        uint64_t cur = a->cg.memory_current, max = a->cg.memory_max;

        if (cur == AGENT_CGROUP_UNKNOWN || max >= AGENT_CGROUP_MAX || max == 0)
                return -1;
        return 100.0 * (double) cur / (double) max;
}

bool use_color(void) {
        const char *e = getenv("NO_COLOR");
        return isatty(STDOUT_FILENO) && !(e && *e);
}

/* json-c keeps int64 only; byte counts of a real host fit. Unknown → null. */
void overview_print_footer(const Overview *o) {
        char cur[32], max[32], total[32], avail[32], tasks[32] = "?";

        if (o->slice.pids_current < AGENT_CGROUP_MAX)
                snprintf(tasks, sizeof(tasks), "%" PRIu64, o->slice.pids_current);
        printf("\n%zu agent%s; slice %s of %s, %s tasks\n", o->n, o->n == 1 ? "" : "s",
               format_bytes(cur, sizeof(cur), o->slice.memory_current),
               format_bytes(max, sizeof(max), o->slice.memory_max),
               tasks);
        if (!o->host_known) {
                printf("host %s: memory and admission are not readable over D-Bus\n", arg_host);
                return;
        }
        printf("host: %.1f%% of %s used, %s available; admission %s%s%s\n", host_memory_used_percent(&o->host),
               format_bytes(total, sizeof(total), o->host.total), format_bytes(avail, sizeof(avail), o->host.available),
               !o->admission_known ? "unknown" : o->admission.closed ? "closed" : "open",
               o->admission.reason ? ": " : "", o->admission.reason ? o->admission.reason : "");
        if (o->disk_known)
                printf("disk: %s %.1f%% full (%s of %s), inodes %.1f%%\n", AGENT_WORKSPACES_DIR, o->disk.blocks_percent,
                       format_bytes(cur, sizeof(cur), o->disk.used_bytes),
                       format_bytes(max, sizeof(max), o->disk.size_bytes), o->disk.inodes_percent);
        if (o->admission.last_relief_usec > 0) {
                char when[64] = "?";
                time_t t = (time_t) (o->admission.last_relief_usec / 1000000);
                struct tm tm;
                if (localtime_r(&t, &tm))
                        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
                printf("last relief: %s, %llu agent%s killed (journalctl -u nova-relief)\n", when,
                       (unsigned long long) o->admission.last_relief_victims,
                       o->admission.last_relief_victims == 1 ? "" : "s");
        }
}
