/* novactl's own C without a bus: the global options (parse_global()), the
 * number formats of its tables, and the JSON document of status/memory,
 * whose keys novactl(1) promises. Links the real code (libnovactl.a). */

#include <errno.h>
#include <string.h>

#include "agent-info.h"
#include "novactl.h"
#include "test-util.h"

#define GIB (1024ULL * 1024 * 1024)

static void test_format_bytes(void) {
        static const struct {
                uint64_t bytes;
                const char *text;
        } cases[] = {
                { 0, "0B" },
                { 1023, "1023B" },
                { 1024, "1.0K" },
                { 1536, "1.5K" },
                { 512ULL * 1024 * 1024, "512.0M" },
                { 3 * GIB / 2, "1.5G" },
                { 5 * 1024 * GIB, "5.0T" },
                { UINT64_MAX / 2, "8.0E" }, /* the largest unit, no letter past it */
                { AGENT_CGROUP_MAX, "max" },
                { AGENT_CGROUP_UNKNOWN, "-" },
        };
        char buf[32];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_str(format_bytes(buf, sizeof buf, cases[i].bytes), cases[i].text, "format_bytes(%llu)",
                       (unsigned long long) cases[i].bytes);
        is_str(format_bytes(buf, 4, 3 * GIB / 2), "1.5", "format_bytes() truncates to the buffer");
}

static void test_format_duration(void) {
        char buf[32];

        is_str(format_duration(buf, sizeof buf, 59999999), "59s", "59.9 s");
        is_str(format_duration(buf, sizeof buf, 61000000), "1min 1s", "61 s");
        is_str(format_duration(buf, sizeof buf, 7260ULL * 1000000), "2h 1min", "2 h 1 min");
        is_str(format_duration(buf, sizeof buf, UINT64_MAX), "-", "unknown");
}

/* parse_global() on argv; the verb's arguments joined by spaces into out. */
static int parse(const char *const *args, GlobalAction *action, char *out, size_t size) {
        char *argv[16];
        int argc = 0, n = 0, r;

        argv[argc++] = (char *) "novactl";
        for (; *args; args++)
                argv[argc++] = (char *) *args;
        argv[argc] = NULL;
        arg_json = false;
        arg_legend = true;
        free(arg_hosts); /* its strings are argv's */
        arg_hosts = NULL;
        char **rest = NULL;
        out[0] = '\0';
        r = parse_global(argc, argv, action, &n, &rest);
        for (int i = 0; r == 0 && rest && i < n; i++)
                snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", rest[i]);
        ok(r < 0 || !rest || rest[n] == NULL, "the verb's arguments end with NULL");
        free(rest);
        return r;
}

static void test_parse_global(void) {
        GlobalAction action = GLOBAL_RUN;
        char rest[256];

        is_int(parse((const char *[]) { "status", "--json", "a", NULL }, &action, rest, sizeof rest), 0,
               "a global option after the verb");
        ok(action == GLOBAL_RUN && arg_json && arg_legend, "--json taken, the verb is to run");
        is_str(rest, "status a", "the verb and its arguments are left");

        is_int(parse((const char *[]) { "--no-legend", "stop", "--force", "x", NULL }, &action, rest, sizeof rest),
               0, "a verb's own option");
        ok(!arg_legend && !arg_json, "--no-legend taken");
        is_str(rest, "stop --force x", "the verb's own option stays with it");

        is_int(parse((const char *[]) { "-H", "a", "--host=b", "-Hc", "--host", "d", "count", NULL }, &action, rest,
                     sizeof rest),
               0, "four spellings of -H");
        is_int(strv_length(arg_hosts), 4, "four hosts");
        ok(arg_hosts && strv_length(arg_hosts) == 4 && strcmp(arg_hosts[0], "a") == 0 &&
                   strcmp(arg_hosts[1], "b") == 0 && strcmp(arg_hosts[2], "c") == 0 && strcmp(arg_hosts[3], "d") == 0,
           "the hosts in order");
        is_str(rest, "count", "-H and its host are taken");

        is_int(parse((const char *[]) { "spawn", "n", "--", "cmd", "--json", "-H", "x", NULL }, &action, rest,
                     sizeof rest),
               0, "after --");
        ok(!arg_json && strv_length(arg_hosts) == 0, "nothing after -- is a global option");
        is_str(rest, "spawn n -- cmd --json -H x", "everything after -- stays, -- too");

        is_int(parse((const char *[]) { "status", "--help", NULL }, &action, rest, sizeof rest), 0, "--help");
        ok(action == GLOBAL_HELP, "--help asks for help, wherever it stands");
        is_int(parse((const char *[]) { "--version", NULL }, &action, rest, sizeof rest), 0, "--version");
        ok(action == GLOBAL_VERSION, "--version asks for the version");

        is_int(parse((const char *[]) { "count", "-H", NULL }, &action, rest, sizeof rest), -EINVAL,
               "-H without a host");
        is_int(parse((const char *[]) { "count", "-H", "--json", NULL }, &action, rest, sizeof rest), -EINVAL,
               "-H followed by an option");
        is_int(parse((const char *[]) { "--host=", "count", NULL }, &action, rest, sizeof rest), -EINVAL,
               "--host= empty");
        free(arg_hosts);
        arg_hosts = NULL;
}

static void test_json(void) {
        _cleanup_(json_object_putp) json_object *j = NULL;
        AgentInfo agents[] = { {
                .u = { .unit = (char *) "nova-agent@a1.service", .name = (char *) "a1",
                       .active_state = (char *) "active", .sub_state = (char *) "running" },
                .cg = { .memory_current = 256ULL << 20, .memory_peak = AGENT_CGROUP_UNKNOWN,
                        .memory_max = 1024ULL << 20, .oom_kill = 0, .pids_current = 3 },
                .age_usec = 5000000, .deadline_usec = UINT64_MAX, .workspace = (char *) "/w/a1",
                .disk_used = 50ULL << 20, .disk_max = UINT64_MAX,
        } };
        Overview o = {
                .agents = agents, .n = 1, .host = { .total = 4 * GIB, .available = GIB }, .host_known = true,
                .slice = { .memory_current = 256ULL << 20, .memory_max = AGENT_CGROUP_MAX,
                           .pids_current = AGENT_CGROUP_UNKNOWN },
                .admission = { .closed = true, .since_usec = 42, .used_percent = 91.256, .reason = (char *) "memory",
                               .last_relief_victims = 2 },
                .admission_known = true,
        };

        AgentCells c;
        agent_info_cells(&agents[0], &c);
        ok(strcmp(c.memory, "256.0M") == 0 && strcmp(c.peak, "-") == 0 && strcmp(c.max_percent, "25%") == 0 &&
                   strcmp(c.oom_kills, "0") == 0 && strcmp(c.tasks, "3") == 0 && strcmp(c.disk, "50.0M") == 0 &&
                   strcmp(c.age, "5s") == 0,
           "the table cells of status and memory");
        agents[0].cg.oom_kill = AGENT_CGROUP_UNKNOWN;
        agents[0].cg.memory_max = AGENT_CGROUP_MAX;
        agent_info_cells(&agents[0], &c);
        ok(strcmp(c.max_percent, "-") == 0 && strcmp(c.oom_kills, "-") == 0, "unknown cells read \"-\"");
        agents[0].cg.oom_kill = 0;
        agents[0].cg.memory_max = 1024ULL << 20;

        is_int(overview_to_json(&o, &j), 0, "the document is built");
        is_str(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
               "{\"host\":{\"mem_total\":4294967296,\"mem_available\":1073741824,\"used_percent\":75.00},"
               "\"slice\":{\"memory_current\":268435456,\"memory_max\":null,\"tasks\":null},"
               "\"admission\":{\"state\":\"closed\",\"since_usec\":42,\"used_percent\":91.26,\"reason\":\"memory\","
               "\"last_relief_usec\":null,\"last_relief_victims\":2},\"disk\":null,"
               "\"agents\":[{\"name\":\"a1\",\"unit\":\"nova-agent@a1.service\",\"active_state\":\"active\","
               "\"sub_state\":\"running\",\"memory_current\":268435456,\"memory_peak\":null,"
               "\"memory_max\":1073741824,\"memory_max_percent\":25.00,\"oom_kills\":0,\"tasks\":3,"
               "\"age_usec\":5000000,\"deadline_left_usec\":null,\"workspace\":\"/w/a1\","
               "\"disk_used\":52428800,\"disk_max\":null}]}",
               "the keys in their documented order; unknown and max are null");

        json_object_put(TAKE_PTR(j));
        o.host_known = false;
        o.admission_known = false;
        o.n = 0;
        is_int(overview_to_json(&o, &j), 0, "a remote host's document is built");
        is_str(json_object_to_json_string_ext(json_object_object_get(j, "host"), JSON_C_TO_STRING_PLAIN),
               "{\"mem_total\":null,\"mem_available\":null,\"used_percent\":null}", "-H: the host's numbers are null");
        is_str(json_object_get_string(json_object_object_get(json_object_object_get(j, "admission"), "state")),
               "unknown", "-H: admission unknown");
        is_int(json_object_array_length(json_object_object_get(j, "agents")), 0, "no agents: an empty array");
}

int main(void) {
        test_format_bytes();
        test_format_duration();
        test_parse_global();
        test_json();
        return done_testing();
}
