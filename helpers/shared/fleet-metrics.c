#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "admission.h"
#include "file-util.h"
#include "fleet-metrics.h"
#include "host-memory.h"
#include "macro.h"
#include "str-util.h"

/* reliefd's file is a few hundred bytes; anything larger is not it. */
#define RELIEF_FILE_MAX (64 * 1024)

typedef struct AgentSample {
        AgentCgroup cg;
        uint64_t start_sec; /* 0: unknown (no cgroup) */
} AgentSample;

/* ActiveState values of systemd 252 … 257; each gets a nova_agents line,
 * 0 included, so an alert on one state has a series to look at. */
static const char *const unit_states[] = {
        "active", "activating", "deactivating", "reloading", "refreshing", "inactive", "failed", "maintenance",
};

void metrics_label_value(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fputc('\\', f);
                if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static void family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A cgroup value as a sample value; false when unknown (no line then). */
static bool value_known(uint64_t v) {
        return v != AGENT_CGROUP_UNKNOWN;
}

static void print_value(FILE *f, uint64_t v) {
        if (v == AGENT_CGROUP_MAX)
                fputs("+Inf\n", f);
        else
                fprintf(f, "%llu\n", (unsigned long long) v);
}

/* The cgroup directory's mtime is when the agent's start created it: kernfs
 * stamps a node when systemd sets its trusted.invocation_id xattr at
 * creation, and only a new child would change it (agent cgroups have none). */
static int sample_agent(const char *slice_dir, const char *name, AgentSample *ret) {
        _cleanup_(freep) char *dir = str_printf("%s/nova-agent@%s.service", slice_dir, name);
        struct stat st;

        *ret = (AgentSample) { .cg = { AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN,
                                       AGENT_CGROUP_UNKNOWN, AGENT_CGROUP_UNKNOWN, -1 } };
        if (!dir)
                return -ENOMEM;
        int r = stat(dir, &st) < 0 ? -errno : agent_cgroup_read(dir, &ret->cg);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                ret->start_sec = (uint64_t) st.st_mtim.tv_sec;
        return 0; /* else gone since listed, or not started: no numbers */
}

typedef enum Field { F_CURRENT, F_PEAK, F_MAX, F_TASKS, F_OOM } Field;

static uint64_t field_of(const AgentCgroup *cg, Field field) {
        switch (field) {
        case F_CURRENT: return cg->memory_current;
        case F_PEAK: return cg->memory_peak;
        case F_MAX: return cg->memory_max;
        case F_TASKS: return cg->pids_current;
        default: return cg->oom_kill;
        }
}

static const struct {
        const char *suffix, *type, *help;
} fields[] = {
        [F_CURRENT] = { "memory_current_bytes", "gauge", "memory.current of the cgroup." },
        [F_PEAK] = { "memory_peak_bytes", "gauge", "memory.peak of the cgroup (Linux >= 5.19)." },
        [F_MAX] = { "memory_max_bytes", "gauge", "memory.max of the cgroup (+Inf: no limit)." },
        [F_TASKS] = { "tasks", "gauge", "pids.current of the cgroup: processes and threads." },
        [F_OOM] = { "oom_kills_total", "counter", "oom_kill of the cgroup's memory.events (kernel OOM kills)." },
};

static void per_agent(FILE *f, const MetricsAgent *agents, const AgentSample *s, size_t n) {
        family(f, "nova_agent_state", "gauge", "1 for the agent unit's ActiveState.");
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "nova_agent_state{agent=\"%s\",state=\"", agents[i].name);
                metrics_label_value(f, agents[i].state);
                fputs("\"} 1\n", f);
        }
        for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                char name[64];
                snprintf(name, sizeof(name), "nova_agent_%s", fields[k].suffix);
                family(f, name, fields[k].type, fields[k].help);
                for (size_t i = 0; i < n; i++) {
                        uint64_t v = field_of(&s[i].cg, (Field) k);
                        if (!value_known(v))
                                continue;
                        fprintf(f, "%s{agent=\"%s\"} ", name, agents[i].name);
                        print_value(f, v);
                }
        }
        family(f, "nova_agent_start_time_seconds", "gauge", "When the agent's cgroup was created (its start), Unix time.");
        for (size_t i = 0; i < n; i++)
                if (s[i].start_sec > 0)
                        fprintf(f, "nova_agent_start_time_seconds{agent=\"%s\"} %llu\n", agents[i].name,
                                (unsigned long long) s[i].start_sec);
}

static void totals(FILE *f, const MetricsSource *src, const MetricsAgent *agents, size_t n) {
        family(f, "nova_agents", "gauge", "Agent units loaded in systemd, by ActiveState.");
        for (size_t k = 0; k < ELEMENTSOF(unit_states); k++) {
                size_t count = 0;
                for (size_t i = 0; i < n; i++)
                        count += strcmp(agents[i].state, unit_states[k]) == 0;
                fprintf(f, "nova_agents{state=\"%s\"} %zu\n", unit_states[k], count);
        }
        if (src->floor > 0) {
                family(f, "nova_agents_floor", "gauge", "The configured least number of active agents (--floor).");
                fprintf(f, "nova_agents_floor %llu\n", (unsigned long long) src->floor);
        }

        AgentCgroup slice;
        if (agent_cgroup_read(src->slice_dir, &slice) >= 0)
                for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                        char name[64];
                        uint64_t v = field_of(&slice, (Field) k);
                        if (!value_known(v))
                                continue;
                        snprintf(name, sizeof(name), "nova_slice_%s", fields[k].suffix);
                        family(f, name, fields[k].type, fields[k].help);
                        fprintf(f, "%s ", name);
                        print_value(f, v);
                }

        HostMemory host;
        if (host_memory_read(src->proc_root, &host) >= 0) {
                family(f, "nova_host_memory_total_bytes", "gauge", "MemTotal of /proc/meminfo.");
                fprintf(f, "nova_host_memory_total_bytes %llu\n", (unsigned long long) host.total);
                family(f, "nova_host_memory_available_bytes", "gauge", "MemAvailable of /proc/meminfo.");
                fprintf(f, "nova_host_memory_available_bytes %llu\n", (unsigned long long) host.available);
        }
}

/* The state and reason nova-reliefd published for spawns and the unit's
 * start condition. A missing file is "open" (no daemon, nothing refused). */
static void admission(FILE *f, const char *rundir) {
        AdmissionState a = {};

        if (admission_read(rundir, &a, NULL, NULL) < 0)
                return; /* unreadable or malformed: no series, the scrape shows the gap */
        family(f, "nova_admission_info", "gauge", "1, labelled with the admission state and its reason.");
        fprintf(f, "nova_admission_info{state=\"%s\",reason=\"", a.closed ? "closed" : "open");
        metrics_label_value(f, a.reason ? a.reason : "");
        fputs("\"} 1\n", f);
        if (a.since_usec > 0) {
                family(f, "nova_admission_since_timestamp_seconds", "gauge", "When the admission state last changed, Unix time.");
                fprintf(f, "nova_admission_since_timestamp_seconds %llu\n", (unsigned long long) (a.since_usec / 1000000));
        }
        admission_state_done(&a);
}

/* nova-reliefd's own series, copied line by line when its file lies outside
 * the textfile directory (its default, /run/nova-agents): only its comment
 * and sample lines, so a damaged file cannot inject other families. */
static int relief_passthrough(FILE *f, const char *path) {
        _cleanup_(freep) char *text = NULL;
        int r = read_file_full(path, RELIEF_FILE_MAX, &text, NULL);

        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* no daemon, or it writes no metrics */
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (str_has_prefix(line, "nova_reliefd_") || str_has_prefix(line, "# HELP nova_reliefd_") ||
                    str_has_prefix(line, "# TYPE nova_reliefd_"))
                        fprintf(f, "%s\n", line);
        }
        return 0;
}

int fleet_metrics_format(FILE *f, const MetricsSource *src, const MetricsAgent *agents, size_t n) {
        _cleanup_(freep) AgentSample *samples = NULL;

        if (n > 0 && !(samples = calloc(n, sizeof(AgentSample))))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int r = sample_agent(src->slice_dir, agents[i].name, &samples[i]);
                if (r < 0)
                        return r;
        }

        per_agent(f, agents, samples, n);
        totals(f, src, agents, n);
        admission(f, src->rundir);
        if (src->relief_file) {
                int r = relief_passthrough(f, src->relief_file);
                if (r < 0)
                        return r;
        }
        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}
