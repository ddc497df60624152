#pragma once

/* A cgroup v2 tree of nova agents in a scratch directory, for the metrics
 * unit test and bench/metrics.sh: the files fleet_metrics_format() reads,
 * with the contents Linux 6.1 gives them. */

#include <stdio.h>
#include <sys/stat.h>

#include "str-util.h"
#include "test-util.h"

static inline int fixture_file(const char *dir, const char *file, const char *text) {
        _cleanup_(freep) char *p = str_printf("%s/%s", dir, file);
        return p ? test_write_file(p, text, strlen(text)) : -ENOMEM;
}

/* A cgroup directory with memory.current, memory.max ("max" when max is
 * NULL), memory.events, pids.current, cgroup.events and, unless peak is
 * NULL (Linux < 5.19), memory.peak. */
static inline int fixture_cgroup(const char *dir, const char *current, const char *peak, const char *max,
                                 const char *tasks, unsigned oom_kills) {
        char events[256];
        int r = 0;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        snprintf(events, sizeof(events), "low 0\nhigh 0\nmax %u\noom %u\noom_kill %u\noom_group_kill 0\n", oom_kills * 3,
                 oom_kills, oom_kills);
        r = r ?: fixture_file(dir, "memory.current", current);
        r = r ?: fixture_file(dir, "memory.max", max ? max : "max\n");
        r = r ?: fixture_file(dir, "memory.events", events);
        r = r ?: fixture_file(dir, "pids.current", tasks);
        r = r ?: fixture_file(dir, "cgroup.events", "populated 1\nfrozen 0\n");
        if (peak)
                r = r ?: fixture_file(dir, "memory.peak", peak);
        return r;
}

/* <root>/nova.slice/nova-agents.slice, made with its own files; returns it. */
static inline char *fixture_slice(const char *root) {
        _cleanup_(freep) char *parent = str_printf("%s/nova.slice", root);
        char *slice = str_printf("%s/nova.slice/nova-agents.slice", root);

        if (!parent || !slice || mkdir(parent, 0755) < 0 ||
            fixture_cgroup(slice, "734003200\n", "1073741824\n", "1932735283\n", "1200\n", 2) < 0)
                bail_out("cannot build the fixture slice");
        return slice;
}
