/* The JSON documents of status and memory (--json): key order and nulls
 * as novactl(1) documents them; with several -H, one array of them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-info.h"
#include "agent-workspace.h"
#include "str-util.h"

static json_object *json_u64(uint64_t v) {
        return v >= AGENT_CGROUP_MAX ? NULL : json_object_new_int64((int64_t) v);
}

static json_object *json_duration(uint64_t usec) {
        return usec == UINT64_MAX ? NULL : json_object_new_int64((int64_t) usec);
}

static json_object *json_percent(double p) {
        char buf[32];

        if (p < 0)
                return NULL;
        /* Two decimals: stable output, no binary-float noise. */
        snprintf(buf, sizeof(buf), "%.2f", p);
        return json_object_new_double_s(strtod(buf, NULL), buf);
}

static json_object *agent_to_json(const AgentInfo *a) {
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "name", json_object_new_string(a->u.name));
        json_object_object_add(o, "unit", json_object_new_string(a->u.unit));
        json_object_object_add(o, "active_state", json_object_new_string(a->u.active_state));
        json_object_object_add(o, "sub_state", json_object_new_string(a->u.sub_state));
        json_object_object_add(o, "memory_current", json_u64(a->cg.memory_current));
        json_object_object_add(o, "memory_peak", json_u64(a->cg.memory_peak));
        json_object_object_add(o, "memory_max", json_u64(a->cg.memory_max));
        json_object_object_add(o, "memory_max_percent", json_percent(agent_info_max_percent(a)));
        json_object_object_add(o, "oom_kills", json_u64(a->cg.oom_kill));
        json_object_object_add(o, "tasks", json_u64(a->cg.pids_current));
        json_object_object_add(o, "age_usec", json_duration(a->age_usec));
        json_object_object_add(o, "deadline_left_usec", json_duration(a->deadline_usec));
        json_object_object_add(o, "workspace", a->workspace ? json_object_new_string(a->workspace) : NULL);
        json_object_object_add(o, "disk_used", a->disk_used != UINT64_MAX ? json_u64(a->disk_used) : NULL);
        json_object_object_add(o, "disk_max", a->disk_max != UINT64_MAX && a->disk_max > 0 ? json_u64(a->disk_max) : NULL);
        return o;
}

static json_object *admission_to_json(const Overview *o) {
        json_object *j = json_object_new_object();
        const AdmissionState *s = &o->admission;

        if (!j)
                return NULL;
        json_object_object_add(j, "state", json_object_new_string(!o->admission_known ? "unknown"
                                                                  : s->closed        ? "closed"
                                                                                     : "open"));
        json_object_object_add(j, "since_usec", s->since_usec ? json_object_new_int64((int64_t) s->since_usec) : NULL);
        json_object_object_add(j, "used_percent", json_percent(s->used_percent));
        json_object_object_add(j, "reason", s->reason ? json_object_new_string(s->reason) : NULL);
        json_object_object_add(j, "last_relief_usec",
                               s->last_relief_usec ? json_object_new_int64((int64_t) s->last_relief_usec) : NULL);
        json_object_object_add(j, "last_relief_victims", json_object_new_int64((int64_t) s->last_relief_victims));
        return j;
}

/* The workspaces' filesystem; null where unknown (-H, unreadable). */
static json_object *disk_to_json(const Overview *o) {
        json_object *j = o->disk_known ? json_object_new_object() : NULL;

        if (!j)
                return NULL;
        json_object_object_add(j, "path", json_object_new_string(AGENT_WORKSPACES_DIR));
        json_object_object_add(j, "size", json_u64(o->disk.size_bytes));
        json_object_object_add(j, "used", json_u64(o->disk.used_bytes));
        json_object_object_add(j, "used_percent", json_percent(o->disk.blocks_percent));
        json_object_object_add(j, "inodes_used_percent", json_percent(o->disk.inodes_percent));
        return j;
}

int overview_to_json(const Overview *o, json_object **ret) {
        json_object *root = json_object_new_object(), *host = json_object_new_object(),
                    *slice = json_object_new_object(), *agents = json_object_new_array();

        if (!root || !host || !slice || !agents) {
                json_object_put(root);
                json_object_put(host);
                json_object_put(slice);
                json_object_put(agents);
                return -ENOMEM;
        }
        json_object_object_add(host, "mem_total", o->host_known ? json_u64(o->host.total) : NULL);
        json_object_object_add(host, "mem_available", o->host_known ? json_u64(o->host.available) : NULL);
        json_object_object_add(host, "used_percent",
                               o->host_known ? json_percent(host_memory_used_percent(&o->host)) : NULL);
        json_object_object_add(root, "host", host);
        json_object_object_add(slice, "memory_current", json_u64(o->slice.memory_current));
        json_object_object_add(slice, "memory_max", json_u64(o->slice.memory_max));
        json_object_object_add(slice, "tasks", json_u64(o->slice.pids_current));
        json_object_object_add(root, "slice", slice);
        json_object_object_add(root, "admission", admission_to_json(o));
        json_object_object_add(root, "disk", disk_to_json(o));
        for (size_t i = 0; i < o->n; i++)
                if (json_object_array_add(agents, agent_to_json(&o->agents[i])) < 0) {
                        json_object_put(root);
                        json_object_put(agents);
                        return -ENOMEM;
                }
        json_object_object_add(root, "agents", agents);
        *ret = root;
        return 0;
}

/* With several -H, each host's document is kept, with its "host", and
 * json_fleet_flush() prints them as one array: one JSON text on stdout. */
static json_object *fleet_json = NULL;

static int json_print_now(json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return log_oom();
        puts(s);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

int json_print(json_object *o) {
        if (strv_length(arg_hosts) <= 1)
                return json_print_now(o);
        if (!fleet_json && !(fleet_json = json_object_new_array()))
                return log_oom();
        if (json_object_object_add(o, "host", json_object_new_string(arg_host)) < 0 ||
            json_object_array_add(fleet_json, json_object_get(o)) < 0)
                return log_oom();
        return 0;
}

int json_fleet_flush(void) {
        int r;

        if (!fleet_json)
                return 0;
        r = json_print_now(fleet_json);
        json_object_put(fleet_json);
        fleet_json = NULL;
        return r;
}

