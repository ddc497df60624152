/* nova-reliefd's soft deadlines: the heap and the arithmetic from a start
 * time to a deadline (deadline-heap.c), then deadline.c and its two event
 * sources on a fixture tree: records found by the first scan (a restart)
 * and by inotify, a run that ended or is another, a deadline not yet
 * reached, and one SIGUSR1 (to this process, listed as an agent's main
 * process) for one that passed. The kernel side is tests/vm/deadlines.vmt. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-workspace.h"
#include "file-util.h"
#include "reliefd.h"
#include "soft-deadline.h"
#include "test-util.h"

static bool heap_ordered(const DeadlineHeap *h) {
        for (size_t i = 1; i < h->n; i++)
                if (h->items[(i - 1) / 2].due_usec > h->items[i].due_usec)
                        return false;
        return true;
}

static void test_heap(void) {
        DeadlineHeap h = {};
        DeadlineEntry e = {};
        bool ordered = true, seen_ok = true;
        uint64_t last = 0;

        /* 5,000 agents in a scrambled order (7919 is prime to 5000). */
        for (unsigned i = 0; i < 5000; i++) {
                snprintf(e.name, sizeof(e.name), "agent-%u", i);
                e.due_usec = (uint64_t) (i * 7919 % 5000) * 1000;
                e.seen = i % 3 != 0;
                if (deadline_heap_push(&h, &e) < 0)
                        bail_out("out of memory");
        }
        ok(h.n == 5000 && heap_ordered(&h) && h.items[0].due_usec == 0, "5,000 pushed: the earliest on top");
        ssize_t i = deadline_heap_find(&h, "agent-4999");
        ok(i >= 0 && strcmp(h.items[i].name, "agent-4999") == 0, "found by name");
        is_int(deadline_heap_find(&h, "agent-5000"), -ENOENT, "an unknown name: -ENOENT");
        deadline_heap_set_due(&h, (size_t) i, 0);
        ok(heap_ordered(&h) && h.items[0].due_usec == 0, "a new due time: still a heap");
        deadline_heap_set_due(&h, 0, UINT64_MAX);
        ok(heap_ordered(&h) && h.items[0].due_usec <= 1000, "the top moved down: still a heap");
        deadline_heap_keep_seen(&h);
        for (size_t k = 0; k < h.n; k++) {
                unsigned n = 0;
                seen_ok = seen_ok && h.items[k].seen && sscanf(h.items[k].name, "agent-%u", &n) == 1 && n % 3 != 0;
        }
        ok(h.n == 3333 && seen_ok && heap_ordered(&h), "keep_seen: the 3,333 seen ones, a heap again (%zu)", h.n);
        while (h.n > 0) {
                ordered = ordered && h.items[0].due_usec >= last;
                last = h.items[0].due_usec;
                deadline_heap_remove(&h, 0);
        }
        ok(ordered, "removed from the top: in due order");
        deadline_heap_free(&h);
}

static void test_arithmetic(void) {
        /* Tick 81234 at 100 Hz: the start was before 812.35 s after boot. */
        is_int((long long) deadline_from_start(81234, 100, 3000000), 812350000LL + 3000000 + DEADLINE_MARGIN_USEC,
               "start tick 81234, 100 Hz, 3 s: the next tick + 3 s + the margin");
        is_int((long long) deadline_from_start(1, 1024, 0), 1954 + DEADLINE_MARGIN_USEC,
               "1024 Hz: tick 2 is 1953.125 µs, rounded up");
        ok(deadline_from_start(1, 100, UINT64_MAX) == UINT64_MAX, "no overflow: saturates");
        is_int((long long) deadline_boot_to_monotonic(50000000, 40000000, 7000000), 17000000,
               "boottime 10 s ahead: monotonic 10 s ahead");
        is_int((long long) deadline_boot_to_monotonic(30000000, 40000000, 7000000), 7000000,
               "a boottime deadline that passed: now");
        is_int((long long) deadline_first_look(100000000, 700000000, 50000000000, 900000000), 50000000000 - 600000000 + 900000000,
               "written 600 s ago (a restart), 900 s soft: looked at in 300 s, not 900 s");
        is_int((long long) deadline_first_look(100000000, 100000000, 5000000, 3000000), 8000000,
               "written now: looked at 3 s from now");
        is_int((long long) deadline_first_look(0, 700000000, 5000000, 3000000), 5000000 + DEADLINE_MARGIN_USEC,
               "written long ago: looked at after the margin, not at once");
        is_int((long long) deadline_first_look(900000000, 100000000, 5000000, 3000000), 8000000,
               "the realtime clock went back: soft from now");
}

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) {
        usr1++;
}

static void mkfile(const char *dir, const char *name, const char *text) {
        _cleanup_(freep) char *p = str_printf("%s/%s", dir, name);

        if (!p || test_write_file(p, text, strlen(text)) < 0)
                bail_out("cannot write a fixture");
}

/* An agent's cgroup directory listing pid, a stat of pid starting at tick
 * start, and its /proc/PID/cgroup; the directory's inode. */
static uint64_t agent(const char *tmp, const char *name, int pid, unsigned long long start) {
        _cleanup_(freep) char *cg = str_printf("%s/slice/nova-agent@%s.service", tmp, name);
        _cleanup_(freep) char *pd = str_printf("%s/proc/%d", tmp, pid);
        _cleanup_(freep) char *procs = str_printf("%d\n", pid);
        _cleanup_(freep) char *stat_line = str_printf("%d (agent) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", pid, start);
        _cleanup_(freep) char *cgroup = str_printf("0::/nova.slice/nova-agents.slice/nova-agent@%s.service\n", name);
        struct stat st;

        if (!cg || !pd || !procs || !stat_line || !cgroup || mkdir(cg, 0755) < 0 || mkdir(pd, 0755) < 0)
                bail_out("cannot make a fixture agent");
        mkfile(cg, "cgroup.procs", procs);
        mkfile(pd, "stat", stat_line);
        mkfile(pd, "cgroup", cgroup);
        if (stat(cg, &st) < 0)
                bail_out("cannot stat a fixture cgroup");
        return st.st_ino;
}

/* A record as --prepare writes it, aged (mtime) by age_sec. */
static void record(const char *tmp, const char *name, uint64_t soft, uint64_t id, long age_sec) {
        _cleanup_(freep) char *p = str_printf("%s/" SOFT_DEADLINE_SUBDIR "/%s", tmp, name);
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, {} };

        if (!p || soft_deadline_write(tmp, name, &(SoftDeadline) { soft, id }) < 0)
                bail_out("cannot write a record");
        clock_gettime(CLOCK_REALTIME, &ts[1]);
        ts[1].tv_sec -= age_sec;
        if (utimensat(AT_FDCWD, p, ts, 0) < 0)
                bail_out("cannot age a record");
}

static bool exists(const char *tmp, const char *name) {
        _cleanup_(freep) char *p = str_printf("%s/" SOFT_DEADLINE_SUBDIR "/%s", tmp, name);
        return p && access(p, F_OK) == 0;
}

/* Runs the loop until cond or about 3 s. */
#define RUN_UNTIL(d, cond)                                                                      \
        for (unsigned _n = 0; !(cond) && _n < 300; _n++)                                        \
                (void) sd_event_run((d)->event, 10 * 1000)

static void test_daemon(const char *tmp) {
        _cleanup_(freep) char *proc = str_printf("%s/proc", tmp), *slice = str_printf("%s/slice", tmp);
        _cleanup_(freep) char *metrics = str_printf("%s/metrics.prom", tmp), *meminfo = NULL, *text = NULL;
        _cleanup_(freep) char *fixture = test_data_path("meminfo/debian12-6.1/meminfo");
        Daemon d = { .proc_root = proc, .slice_dir = slice, .rundir = tmp, .confdir = tmp };
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t now_ticks = now_usec(CLOCK_BOOTTIME) * (uint64_t) hz / 1000000;
        int enabled = -1;
        size_t size;

        if (!proc || !slice || !metrics || mkdir(proc, 0755) < 0 || mkdir(slice, 0755) < 0 ||
            read_file_full(fixture, 65536, &meminfo, &size) < 0)
                bail_out("cannot prepare the fixtures");
        mkfile(proc, "meminfo", meminfo);
        relief_config_defaults(&d.config);
        d.config.metrics_file = metrics;
        signal(SIGUSR1, on_usr1);

        /* Before the daemon starts (a restart): due long ago; a record that
         * looks old but whose main process started now, due in a minute;
         * another run's record; an agent gone. */
        record(tmp, "due", 1000000, agent(tmp, "due", (int) getpid(), 0), 600);
        /* Aged 70 s, not more: a record older than the machine's uptime
         * would put its first look at boot + soft (CLOCK_MONOTONIC has no
         * earlier time), not at once; a fresh CI machine has run minutes. */
        record(tmp, "later", 60000000ULL, agent(tmp, "later", 4000001, now_ticks), 70);
        record(tmp, "rerun", 1000000, agent(tmp, "rerun", 4000002, 0) + 1, 600);
        record(tmp, "gone", 1000000, 4242, 600);
        /* A cgroup without a process yet (PID 1 has not forked the main one). */
        uint64_t empty_id = agent(tmp, "empty", 4000004, 0);
        _cleanup_(freep) char *empty_cg = str_printf("%s/nova-agent@empty.service", slice);
        mkfile(empty_cg, "cgroup.procs", "");
        record(tmp, "empty", 1000000, empty_id, 600);
        /* Forked 20 s ago, its launcher began 1 s ago (257's executor sets up
         * the sandbox in between): 5 s counts from the launcher's mark. */
        _cleanup_(freep) char *marked_rt = str_printf("%s/" AGENT_RUNTIME_SUBDIR "/marked", tmp);
        _cleanup_(freep) char *agents_rt = str_printf("%s/" AGENT_RUNTIME_SUBDIR, tmp);
        if (!marked_rt || !agents_rt || mkdir(agents_rt, 0755) < 0 || mkdir(marked_rt, 0755) < 0 ||
            soft_deadline_mark_started(marked_rt) < 0)
                bail_out("cannot make the launcher's mark");
        _cleanup_(freep) char *mark = str_printf("%s/" SOFT_DEADLINE_STARTED, marked_rt);
        struct timespec mt[2] = { { .tv_nsec = UTIME_OMIT }, {} };
        clock_gettime(CLOCK_REALTIME, &mt[1]);
        uint64_t marked_at = now_usec(CLOCK_MONOTONIC) - 1000000; /* the same moment, on the daemon's clock */
        mt[1].tv_sec -= 1;
        if (!mark || utimensat(AT_FDCWD, mark, mt, 0) < 0)
                bail_out("cannot age the mark");
        /* Written 30 s ago: looked at by the first scan. */
        record(tmp, "marked", 5000000, agent(tmp, "marked", 4000005, now_ticks - 20 * (uint64_t) hz), 30);

        uint64_t setup_usec = now_usec(CLOCK_MONOTONIC);
        is_int(events_setup(&d), 0, "the event loop is set up; the first scan reads the records");
        is_int(d.deadlines.n, 6, "six records found");
        ok(sd_event_source_get_enabled(d.deadline_timer, &enabled) >= 0 && enabled == SD_EVENT_ONESHOT,
           "the deadline timer is armed");
        RUN_UNTIL(&d, usr1 > 0 && d.deadlines.n == 2);
        is_int(usr1, 1, "the record due long ago: SIGUSR1 to its main process, once");
        is_int(d.soft_deadlines_total, 1, "counted");
        ok(!exists(tmp, "due"), "its record is removed: one SIGUSR1 per run");
        ok(!exists(tmp, "rerun") && !exists(tmp, "gone"), "records of another run and of a removed cgroup are removed");
        ok(exists(tmp, "later"), "the record not yet due stays");
        ssize_t m = deadline_heap_find(&d.deadlines, "marked");
        long long off = m >= 0 ? (long long) d.deadlines.items[m].due_usec - (long long) marked_at : 0;
        ok(m >= 0 && llabs(off - 5000000 - (long long) DEADLINE_MARGIN_USEC) < 250000,
           "forked 20 s ago, its launcher began 1 s ago: due soft + margin after the launcher's mark, not the fork");
        diag("marked: due %lld ms after the mark", off / 1000);
        ssize_t i = deadline_heap_find(&d.deadlines, "later");
        ok(i >= 0 && d.deadlines.items[i].due_usec > now_usec(CLOCK_MONOTONIC) + 50ULL * 1000000,
           "and waits for its main process's start + 60 s, not the record's (due 10 s ago)");
        i = deadline_heap_find(&d.deadlines, "empty");
        /* Each look at it re-arms it 1 s after that look (a loaded machine may
         * take longer than that between the last look and this line). */
        ok(i >= 0 && exists(tmp, "empty") && d.deadlines.items[i].due_usec >= setup_usec + 1000000 &&
                   d.deadlines.items[i].due_usec <= now_usec(CLOCK_MONOTONIC) + 1000000,
           "a cgroup without a process keeps its record, looked at again a second later");
        _cleanup_(freep) char *empty_record = str_printf("%s/empty", d.deadline_dir);
        _cleanup_(freep) char *marked_record = str_printf("%s/marked", d.deadline_dir);
        if (!empty_record || unlink(empty_record) < 0 || !marked_record || unlink(marked_record) < 0)
                bail_out("cannot remove a record");

        deadline_scan(&d);
        is_int(d.deadlines.n, 1, "a scan: what was sent does not come back, a record removed is forgotten");

        /* While the daemon runs: a record renamed in, a temporary file, a removal. */
        mkfile(d.deadline_dir, ".new.XXXXXX", "garbage");
        record(tmp, "new", 1000000, agent(tmp, "new", 4000003, now_ticks), 0);
        uint64_t before = d.wakeups[WAKEUP_INOTIFY];
        RUN_UNTIL(&d, d.deadlines.n == 2);
        ok(d.wakeups[WAKEUP_INOTIFY] > before && deadline_heap_find(&d.deadlines, "new") >= 0,
           "a new record is found through inotify");
        _cleanup_(freep) char *later = str_printf("%s/later", d.deadline_dir);
        if (!later || unlink(later) < 0)
                bail_out("cannot remove a record");
        RUN_UNTIL(&d, d.deadlines.n == 1);
        is_int(deadline_heap_find(&d.deadlines, "later"), -ENOENT, "a removed record is forgotten");
        ok(d.wakeups[WAKEUP_DEADLINE] >= 1, "the deadline wakeups are counted by their source");

        is_int(metrics_write(&d, true), 0, "metrics written");
        ok(read_file_full(metrics, 65536, &text, NULL) >= 0 && strstr(text, "\nnova_reliefd_soft_deadlines_total 1\n") &&
                   strstr(text, "\nnova_reliefd_wakeups_total{source=\"deadline\"} ") &&
                   strstr(text, "\nnova_reliefd_wakeups_total{source=\"timer\"} "),
           "metrics: soft_deadlines_total, wakeups_total by source");
        d.config.metrics_file = NULL;
        events_done(&d);
        free(d.agents);
        relief_config_done(&d.config);
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();

        test_heap();
        test_arithmetic();
        test_daemon(tmp);
        test_rm_rf(tmp);
        return done_testing();
}
