/* host_memory_read() and agent_cgroup_read() on fixtures: files captured from
 * real kernels (Debian 12's 6.1 inside the VM suite, a 6.18 host) and
 * hand-made broken ones. */

#include <stdint.h>

#include "host-memory.h"
#include "test-util.h"

static void test_meminfo(void) {
        static const struct {
                const char *dir;
                int r;
                uint64_t total, available;
        } cases[] = {
                { "meminfo/debian12-6.1", 0, 2012132ULL * 1024, 1770540ULL * 1024 },
                { "meminfo/host-6.18", 0, 24683620ULL * 1024, 23972936ULL * 1024 },
                { "meminfo/no-available", -EBADMSG, 0, 0 },
                { "meminfo/bad-unit", -EBADMSG, 0, 0 },
                { "meminfo/avail-gt-total", -EBADMSG, 0, 0 },
                { "meminfo/empty", -EBADMSG, 0, 0 },
                { "meminfo/missing", -ENOENT, 0, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *root = test_data_path(cases[i].dir);
                HostMemory m = { 42, 42 };
                int r = host_memory_read(root, &m);

                is_int(r, cases[i].r, "%s: result", cases[i].dir);
                if (cases[i].r < 0) {
                        ok(m.total == 42 && m.available == 42, "%s: *ret untouched on failure", cases[i].dir);
                        continue;
                }
                is_int((long long) m.total, (long long) cases[i].total, "%s: MemTotal in bytes", cases[i].dir);
                if (cases[i].available)
                        is_int((long long) m.available, (long long) cases[i].available, "%s: MemAvailable in bytes",
                               cases[i].dir);
                else
                        ok(m.available > 0 && m.available < m.total, "%s: 0 < MemAvailable < MemTotal", cases[i].dir);
        }

        HostMemory half = { 1000, 250 };
        ok(host_memory_used_percent(&half) == 75.0, "used percent = (total - available) / total");
}

static void test_cgroup(void) {
        _cleanup_(freep) char *real = test_data_path("cgroup/debian12-6.1");
        _cleanup_(freep) char *nopeak = test_data_path("cgroup/no-peak");
        _cleanup_(freep) char *garbled = test_data_path("cgroup/garbled");
        _cleanup_(freep) char *unlimited = test_data_path("cgroup/unlimited");
        _cleanup_(freep) char *gone = test_data_path("cgroup/gone");
        AgentCgroup c;

        is_int(agent_cgroup_read(real, &c), 0, "real agent cgroup (6.1): read");
        ok(c.memory_current > 60 * 1024 * 1024 && c.memory_current < 128 * 1024 * 1024,
           "real: memory.current of the 64 MiB python agent (%llu)", (unsigned long long) c.memory_current);
        ok(c.memory_peak >= c.memory_current && c.memory_peak != AGENT_CGROUP_UNKNOWN, "real: memory.peak >= current");
        is_int((long long) c.memory_max, 4294967296LL, "real: memory.max 4G");
        is_int((long long) c.oom_kill, 0, "real: oom_kill 0");
        ok(c.pids_current >= 1 && c.pids_current < 10, "real: a few tasks");
        is_int(c.populated, 1, "real: populated");

        is_int(agent_cgroup_read(nopeak, &c), 0, "no memory.peak (Linux < 5.19): read");
        is_int((long long) c.memory_current, 123456789, "no-peak: memory.current");
        ok(c.memory_peak == AGENT_CGROUP_UNKNOWN, "no-peak: memory.peak unknown, not an error");
        is_int((long long) c.oom_kill, 1, "no-peak: oom_kill from memory.events (not oom, not oom_group_kill)");
        is_int((long long) c.pids_current, 7, "no-peak: pids.current");

        is_int(agent_cgroup_read(garbled, &c), 0, "garbled files: read");
        ok(c.memory_current == AGENT_CGROUP_UNKNOWN, "garbled: memory.current \"12x\" is unknown");
        ok(c.memory_max == AGENT_CGROUP_UNKNOWN, "garbled: memory.max \"-1\" is unknown");
        ok(c.oom_kill == AGENT_CGROUP_UNKNOWN, "garbled: oom_kill \"many\" is unknown");
        is_int(c.populated, -1, "garbled: no populated key is unknown");

        is_int(agent_cgroup_read(unlimited, &c), 0, "unlimited: read");
        ok(c.memory_max == AGENT_CGROUP_MAX, "unlimited: memory.max \"max\"");
        is_int(c.populated, 0, "unlimited: populated 0");

        is_int(agent_cgroup_read(gone, &c), -ENOENT, "a cgroup that is gone: -ENOENT");
        is_int(cgroup_populated(real), 1, "cgroup_populated: 1");
        is_int(cgroup_populated(unlimited), 0, "cgroup_populated: 0");
        is_int(cgroup_populated(gone), -ENOENT, "cgroup_populated: gone");
        is_int(cgroup_populated(garbled), -EBADMSG, "cgroup_populated: no key");

        /* The reader nova-reliefd uses per agent, relative to the cgroup's directory fd. */
        uint64_t v = 0, w = 0;
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC), gfd = open(garbled, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        agent_cgroup_read(real, &c);
        is_int(cgroup_read_u64_at(fd, "memory.current", &v), 0, "cgroup_read_u64_at: read");
        ok(v == c.memory_current, "cgroup_read_u64_at: what agent_cgroup_read() reads");
        is_int(cgroup_read_u64_at(fd, "no-such-file", &w), -ENOENT, "cgroup_read_u64_at: no such file");
        is_int(cgroup_read_u64_at(gfd, "memory.current", &w), -EBADMSG, "cgroup_read_u64_at: garbled");
        if (fd >= 0)
                close(fd);
        if (gfd >= 0)
                close(gfd);
}

static void test_psi(void) {
        double v = -1;

        is_int(psi_full_avg10_parse("some avg10=92.50 avg60=40.00 avg300=10.00 total=123\n"
                                    "full avg10=76.84 avg60=25.02 avg300=5.84 total=17843208\n", &v),
               0, "PSI memory: parsed");
        ok(v > 76.83 && v < 76.85, "full avg10 (76.84), not some's");
        is_int(psi_full_avg10_parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &v), -EBADMSG,
               "no full line (cpu's file before 5.13): refused");
        is_int(psi_full_avg10_parse("full avg10=abc avg60=0.00\n", &v), -EBADMSG, "garbled: refused");
        is_int(psi_full_avg10_parse("full avg10=100.01 avg60=0.00\n", &v), -EBADMSG, "above 100: refused");
        is_int(host_memory_pressure_read("/nonexistent", &v), -ENOENT, "no PSI file: -ENOENT");
}

static void test_parsers(void) {
        uint64_t v = 0;

        is_int(cgroup_value_parse("max\n", &v), 0, "value \"max\"");
        ok(v == AGENT_CGROUP_MAX, "value \"max\" is AGENT_CGROUP_MAX");
        is_int(cgroup_value_parse("18446744073709551615\n", &v), -ERANGE, "a value colliding with the sentinels");
        is_int(cgroup_value_parse("", &v), -EBADMSG, "an empty value");
        is_int(cgroup_value_parse("12 \n", &v), -EBADMSG, "trailing garbage");
        is_int(cgroup_keyed_value("low 0\noom_kill 3\n", "oom", &v), -ENOENT, "\"oom\" is not a prefix match");
        is_int(cgroup_keyed_value("oom 1\noom_kill 3\n", "oom_kill", &v), 0, "keyed: found");
        is_int((long long) v, 3, "keyed: value");
}

int main(void) {
        test_meminfo();
        test_cgroup();
        test_parsers();
        test_psi();
        return done_testing();
}
