/* nova-reliefd's pure decisions on fixture numbers: the admission
 * hysteresis (memory and disk), relief with victims in flight, relief in
 * rounds until below target, the leak watch, the sleep. */

#include "policy.h"
#include "test-util.h"

#define MiB (1024ULL * 1024)
#define SEC (1000000ULL)

static bool within(uint64_t v, uint64_t lo, uint64_t hi, const char *what) {
        bool pass = ok(v >= lo && v <= hi, "%s", what);
        if (!pass)
                diag("got %llu, want %llu..%llu", (unsigned long long) v, (unsigned long long) lo,
                     (unsigned long long) hi);
        return pass;
}

static ReliefConfig config(void) {
        ReliefConfig c;
        relief_config_defaults(&c);
        return c;
}

static void test_admission(void) {
        ReliefConfig c = config();
        AdmissionMachine m = {};
        uint64_t t = 1000 * SEC;

        is_int(admission_step(&m, &c, 84.9, t), ADMISSION_UNCHANGED, "84.9%%: stays open");
        is_int(admission_step(&m, &c, 85.0, t), ADMISSION_CLOSE, "85.0%%: closes (at or above)");
        ok(m.closed, "closed");
        is_int(admission_step(&m, &c, 90, t + SEC), ADMISSION_UNCHANGED, "90%%: stays closed");
        is_int(admission_step(&m, &c, 80.0, t + 2 * SEC), ADMISSION_UNCHANGED, "80.0%%: the 30 s hold starts");
        is_int(admission_step(&m, &c, 79, t + 31 * SEC), ADMISSION_UNCHANGED, "29 s later: still closed");
        is_int(admission_step(&m, &c, 80.1, t + 32 * SEC), ADMISSION_UNCHANGED, "80.1%% breaks the hold");
        is_int(admission_step(&m, &c, 70, t + 33 * SEC), ADMISSION_UNCHANGED, "70%%: the hold starts again");
        is_int(admission_step(&m, &c, 70, t + 62 * SEC), ADMISSION_UNCHANGED, "29 s into the new hold: closed");
        is_int(admission_step(&m, &c, 70, t + 63 * SEC), ADMISSION_OPEN, "30 s at or below 80%%: opens");
        ok(!m.closed, "open");

        /* 84 <-> 86 % every second for 10 minutes: one close, no reopen. */
        AdmissionMachine o = {};
        int transitions = 0;
        for (int i = 0; i < 600; i++)
                transitions += admission_step(&o, &c, i % 2 ? 86 : 84, t + (uint64_t) i * SEC) != ADMISSION_UNCHANGED;
        is_int(transitions, 1, "84<->86%% for 10 min: 1 transition (closed, never reopened)");
}

static DiskFill fill(double blocks, double inodes) {
        return (DiskFill) { .size_bytes = 512 * MiB, .blocks_percent = blocks, .inodes_percent = inodes };
}

static void test_disk_admission(void) {
        ReliefConfig c = config();
        AdmissionMachine m = {};
        uint64_t t = 1000 * SEC;
        size_t worst = 7;
        DiskFill f[3] = { fill(50, 10), {}, fill(84.9, 1) };

        is_int(disk_admission_step(&m, &c, f, 3, t, &worst), ADMISSION_UNCHANGED, "84.9%% blocks: open");
        is_int((long long) worst, 2, "the fullest is the third path");
        f[0] = fill(40, 85);
        is_int(disk_admission_step(&m, &c, f, 3, t, &worst), ADMISSION_CLOSE, "85%% inodes: closes");
        is_int((long long) worst, 0, "on the first path's inodes");
        f[0] = fill(40, 60);
        f[2] = fill(80, 1);
        is_int(disk_admission_step(&m, &c, f, 3, t + SEC, &worst), ADMISSION_UNCHANGED, "80%%: the hold starts");
        is_int(disk_admission_step(&m, &c, f, 3, t + 30 * SEC, &worst), ADMISSION_UNCHANGED, "29 s later: closed");
        f[2] = fill(80.5, 1);
        is_int(disk_admission_step(&m, &c, f, 3, t + 31 * SEC, &worst), ADMISSION_UNCHANGED, "80.5%% breaks the hold");
        f[2] = fill(79, 1);
        is_int(disk_admission_step(&m, &c, f, 3, t + 32 * SEC, &worst), ADMISSION_UNCHANGED, "79%%: the hold again");
        DiskFill none[2] = {};
        is_int(disk_admission_step(&m, &c, none, 2, t + 90 * SEC, &worst), ADMISSION_UNCHANGED,
               "nothing readable: no change, even past the hold");
        ok(worst == SIZE_MAX, "and no fullest path");
        is_int(disk_admission_step(&m, &c, f, 3, t + 62 * SEC, &worst), ADMISSION_OPEN, "30 s at or below 80%%: opens");

        c.disk_close_percent = 90;
        c.disk_reopen_percent = 50;
        c.disk_reopen_usec = 5 * SEC;
        AdmissionMachine k = {};
        DiskFill g = fill(89, 0);
        is_int(disk_admission_step(&k, &c, &g, 1, t, &worst), ADMISSION_UNCHANGED, "DiskClosePercent=90: 89%% open");
        g = fill(90, 0);
        is_int(disk_admission_step(&k, &c, &g, 1, t, &worst), ADMISSION_CLOSE, "90%%: closed");
        g = fill(50, 0);
        is_int(disk_admission_step(&k, &c, &g, 1, t + SEC, &worst), ADMISSION_UNCHANGED, "50%%: hold");
        is_int(disk_admission_step(&k, &c, &g, 1, t + 6 * SEC, &worst), ADMISSION_OPEN, "DiskReopenHoldSec=5: opens");
        ok(c.admission_close_percent == 85, "memory's thresholds are apart");

        is_int(admission_overall(false, false, true), ADMISSION_CLOSE, "disk closes an open admission");
        is_int(admission_overall(true, true, true), ADMISSION_UNCHANGED, "both closed: no change");
        is_int(admission_overall(true, false, true), ADMISSION_UNCHANGED, "memory reopens, disk holds it closed");
        is_int(admission_overall(true, false, false), ADMISSION_OPEN, "the last cause gone: opens");
}

static void test_relief(void) {
        ReliefConfig c = config();
        const ReliefCandidate cand[] = {
                { "a", 100 * MiB, true }, { "b", 400 * MiB, true }, { "c", 300 * MiB, true }, { "d", 300 * MiB, true },
        };
        ReliefPlan p = {};
        bool due;
        uint64_t total = 1000 * MiB;

        is_int(relief_decide(&c, cand, 4, total, 60 * MiB, 0, false, &due, &p), 0, "94%% used: result");
        ok(!due && p.n_victims == 0, "94%% used: not due, nobody killed");
        relief_plan_done(&p);

        is_int(relief_decide(&c, cand, 4, total, 50 * MiB, 0, false, &due, &p), 0, "95%% used: result");
        ok(due, "95%% used: due");
        /* used 950, below 750 needs 201+: b (400) alone brings it to 550. */
        is_int((long long) p.n_victims, 1, "95%%: one victim");
        is_str(p.n_victims ? cand[p.victims[0]].name : "", "b", "95%%: the largest, b");
        relief_plan_done(&p);

        /* 990 used: b alone leaves 590 < 750: still one. */
        is_int(relief_decide(&c, cand, 4, total, 10 * MiB, 0, false, &due, &p), 0, "99%%: result");
        is_int((long long) p.n_victims, 1, "99%%: still one victim (b frees enough)");
        relief_plan_done(&p);

        /* b (400) already in flight, not a candidate: 990 - 400 = 590 < 950: not due. */
        const ReliefCandidate rest[] = { cand[0], cand[2], cand[3] };
        is_int(relief_decide(&c, rest, 3, total, 10 * MiB, 400 * MiB, false, &due, &p), 0, "in flight: result");
        ok(!due && p.n_victims == 0, "b in flight covers it: nobody else dies");
        relief_plan_done(&p);

        /* In flight 100, used 990: 890 still >= 950? no: not due either. With in flight 30: 960 >= 950 → due. */
        is_int(relief_decide(&c, rest, 3, total, 10 * MiB, 30 * MiB, false, &due, &p), 0, "small in flight: result");
        ok(due, "30 MiB in flight, 990 used: still due");
        /* 960 must go below 750: c (300, ties with d broken by name) → 660. */
        is_int((long long) p.n_victims, 1, "one more victim");
        is_str(p.n_victims ? rest[p.victims[0]].name : "", "c", "c before d (equal size, by name)");
        relief_plan_done(&p);

        /* Pressure from outside: agents hold 100, used 990: not reachable. */
        is_int(relief_decide(&c, cand, 1, total, 10 * MiB, 0, false, &due, &p), 0, "outside: result");
        ok(due && !p.reached, "due, but killing every agent would not reach the target");
        relief_plan_done(&p);

        is_int(relief_decide(&c, cand, 4, 0, 0, 0, false, &due, &p), -EINVAL, "MemTotal 0 is refused");
        is_int(relief_decide(&c, cand, 4, total, 2000 * MiB, 0, false, &due, &p), -EINVAL, "MemAvailable > MemTotal is refused");
        is_int(relief_decide(&c, cand, 4, total, 10 * MiB, UINT64_MAX, false, &due, &p), 0, "a huge in-flight sum saturates");
        ok(!due, "and nothing is due");
        relief_plan_done(&p);
}

static void test_pressure(void) {
        ReliefConfig c = config(); /* 60 % for 30 s, from used >= 85 % */
        const ReliefCandidate cand[] = { { "a", 100 * MiB, true }, { "b", 400 * MiB, true } };
        PressureTrack t = {};
        ReliefPlan p = {};
        bool due;

        ok(!pressure_step(&t, &c, 100 * SEC, 90, 94, 7, false), "thrashing at 94 %%: not yet");
        ok(!pressure_step(&t, &c, 129 * SEC, 90, 94, 7, false), "29 s later: not yet");
        ok(pressure_step(&t, &c, 130 * SEC, 90, 94, 7, false), "30 s at >= 60 %% with used >= 85 %%: relief");
        ok(!pressure_step(&t, &c, 131 * SEC, 59.9, 94, 7, false), "below 60 %%: the wait restarts");
        ok(!pressure_step(&t, &c, 140 * SEC, 90, 94, 7, false), "... so 9 s later: not yet");
        ok(!pressure_step(&t, &c, 171 * SEC, 90, 84.9, 7, false), "used below AdmissionClosePercent: never");
        ok(!pressure_step(&t, &c, 172 * SEC, 90, 90, 7, false), "and the wait restarted there too");
        ok(!pressure_step(&t, &c, 190 * SEC, 90, 90, 8, false), "an agent throttled at MemoryHigh= meanwhile: the wait restarts");
        ok(!pressure_step(&t, &c, 219 * SEC, 90, 90, 8, false), "... 29 s after it: not yet");
        ok(pressure_step(&t, &c, 220 * SEC, 90, 90, 8, false), "30 s with no throttling: relief");
        /* PSI's avg10 lags the kills: the round's answer counts from when its victims are gone. */
        ok(!pressure_step(&t, &c, 221 * SEC, 95, 93, 8, true), "a round's victims in flight: no relief for pressure");
        ok(!pressure_step(&t, &c, 240 * SEC, 95, 93, 8, true), "... 20 s later, still in flight: none");
        ok(!pressure_step(&t, &c, 241 * SEC, 90, 93, 8, false), "victims gone, avg10 still high: not at once");
        ok(!pressure_step(&t, &c, 269 * SEC, 90, 93, 8, false), "... 29 s after the last victim: not yet");
        ok(pressure_step(&t, &c, 270 * SEC, 90, 93, 8, false), "30 s of pressure after the round: another round");
        c.pressure_usec = 0;
        ok(!pressure_step(&t, &c, 400 * SEC, 100, 99, 8, false), "ReliefPressureSec=0: off");

        c = config();
        /* 940 of 1000 used, under kill%: due only under pressure; to < 750: b. */
        is_int(relief_decide(&c, cand, 2, 1000 * MiB, 60 * MiB, 0, true, &due, &p), 0, "under pressure: result");
        ok(due, "under pressure at 94 %%: due");
        is_int((long long) p.n_victims, 1, "... one victim");
        is_str(p.n_victims ? cand[p.victims[0]].name : "", "b", "... the largest");
        relief_plan_done(&p);
}

/* An episode goes on in rounds until used < target% (75), each round only
 * once the last victims are gone and used settled for 30 s. */
static void test_episode(void) {
        ReliefConfig c = config();
        const ReliefCandidate cand[] = { { "a", 100 * MiB, true }, { "b", 60 * MiB, true } };
        EpisodeTrack t = {};
        ReliefPlan p = {};
        bool due;

        ok(!episode_step(&t, &c, 1 * SEC, 96, false), "no episode: never due");
        episode_start(&t);
        ok(!episode_step(&t, &c, 2 * SEC, 90, true), "victims in flight: wait");
        ok(!episode_step(&t, &c, 10 * SEC, 83, false), "the last one gone at 83 %%: settling starts");
        ok(!episode_step(&t, &c, 20 * SEC, 80, false), "still falling (3 points): settling starts again");
        ok(!episode_step(&t, &c, 49 * SEC, 79.6, false), "29 s later, fell less than 0.5: not yet");
        ok(episode_step(&t, &c, 50 * SEC, 79.6, false), "settled 30 s at 79.6 %% >= 75 %%: the next round is due");
        ok(t.active, "the episode goes on");
        ok(!episode_step(&t, &c, 51 * SEC, 79.6, false), "the next round settles again first");
        ok(!episode_step(&t, &c, 52 * SEC, 74.9, false), "below 75 %%: over");
        ok(!t.active, "the episode has ended");
        ok(!episode_step(&t, &c, 200 * SEC, 80, false), "... and grows no round later");

        episode_start(&t);
        ok(!episode_step(&t, &c, 300 * SEC, 80, false), "slow fall: settling starts at 80 %%");
        ok(!episode_step(&t, &c, 315 * SEC, 79.7, false), "0.3 points in 15 s");
        ok(!episode_step(&t, &c, 325 * SEC, 79.5, false), "0.5 points in 25 s: still falling, settling starts again");
        ok(!episode_step(&t, &c, 354 * SEC, 79.4, false), "29 s after that: not yet");
        ok(episode_step(&t, &c, 355 * SEC, 79.4, false), "30 s with less than 0.5: due");
        ok(!episode_step(&t, &c, 356 * SEC, 79.4, true), "the round's victims in flight: wait");
        ok(!episode_step(&t, &c, 357 * SEC, 99, false), "gone, higher again: settling");
        ok(!episode_step(&t, &c, 358 * SEC, 99, false), "the kill threshold is not this track's business");

        /* A forced round at 80 % of 1000 (below kill%): to < 750 needs a (100). */
        is_int(relief_decide(&c, cand, 2, 1000 * MiB, 200 * MiB, 0, true, &due, &p), 0, "a round at 80 %%: result");
        ok(due && p.reached, "due and reachable");
        is_int((long long) p.n_victims, 1, "... one victim");
        is_str(p.n_victims ? cand[p.victims[0]].name : "", "a", "... the largest");
        relief_plan_done(&p);
        is_int(relief_decide(&c, cand, 2, 1000 * MiB, 50 * MiB, 0, true, &due, &p), 0, "a round at 95 %%: result");
        ok(due && !p.reached, "the agents cannot reach 75 %%: not reached (the episode ends)");
        relief_plan_done(&p);
}

static void test_leak(void) {
        ReliefConfig c = config(); /* 100 MB/h over 600 s */
        LeakTrack t = {};
        uint64_t rate = 0, s0 = 5000 * SEC;

        ok(!leak_step(&t, &c, s0, 100000000, 3, &rate), "first sample starts the window");
        ok(!leak_step(&t, &c, s0 + 300 * SEC, 150000000, 3, &rate), "half a window: no verdict");
        /* 600 s, +20 MB = 120 MB/h > 100. */
        ok(leak_step(&t, &c, s0 + 600 * SEC, 120000000, 3, &rate), "+20 MB in 10 min with no new task: a leak");
        within(rate, 119000000, 121000000, "at about 120 MB/h");
        /* The window restarted at 120 MB: +15 MB in 600 s = 90 MB/h. */
        ok(!leak_step(&t, &c, s0 + 1200 * SEC, 135000000, 3, &rate), "90 MB/h: below the rate, no warning");
        ok(!leak_step(&t, &c, s0 + 1300 * SEC, 200000000, 4, &rate), "a new task restarts the window");
        ok(!leak_step(&t, &c, s0 + 1900 * SEC, 200000000 + 16000000, 4, &rate), "then +16 MB/600 s (96 MB/h): none");
        ok(!leak_step(&t, &c, s0 + 2000 * SEC, 1000, 4, &rate), "a shrink restarts the window");
}

static void test_sleep(void) {
        ReliefConfig c = config(); /* 200 MB/s, at most 10 s */
        uint64_t total = 16000ULL * 1000 * 1000;

        is_int((long long) relief_sleep_usec(&c, total, total, 0), 10 * SEC, "empty 16 GB host: the 10 s cap");
        /* used 14 GB, kill at 15.2 GB: 1.2 GB / 200 MB/s = 6 s. */
        within(relief_sleep_usec(&c, total, 2000ULL * 1000 * 1000, 0), 5990000, 6010000, "1.2 GB headroom: 6 s");
        is_int((long long) relief_sleep_usec(&c, total, 500ULL * 1000 * 1000, 0), RELIEF_MIN_SLEEP_USEC,
               "above the kill level: the 50 ms floor");
        within(relief_sleep_usec(&c, total, 805ULL * 1000 * 1000, 0), RELIEF_MIN_SLEEP_USEC, RELIEF_MIN_SLEEP_USEC,
               "5 MB headroom: 25 ms, floored at 50 ms");
        /* A storm seen at 300 MB/s: assume 600 MB/s, 1.2 GB / 600 MB/s = 2 s. */
        within(relief_sleep_usec(&c, total, 2000ULL * 1000 * 1000, 300ULL * 1000 * 1000), 1990000, 2010000,
               "observed 300 MB/s: twice that, 2 s");
        within(relief_sleep_usec(&c, total, 2000ULL * 1000 * 1000, 50ULL * 1000 * 1000), 5990000, 6010000,
               "observed 50 MB/s: the configured 200 MB/s still rules, 6 s");
        is_int((long long) relief_sleep_usec(&c, total, total, 1ULL << 40), RELIEF_MIN_SLEEP_USEC,
               "an absurd observed rate: the 50 ms floor");
        c.fill_bytes_per_sec = 0;
        within(relief_sleep_usec(&c, total, 2000ULL * 1000 * 1000, 300ULL * 1000 * 1000), 1990000, 2010000,
               "FillRateMBPerSec=0: the observed rate alone");
        is_int((long long) relief_sleep_usec(&c, total, 2000ULL * 1000 * 1000, 0), RELIEF_MIN_SLEEP_USEC,
               "FillRateMBPerSec=0, nothing observed: the floor");
}

static void test_fill(void) {
        FillTrack t = { 0 };

        is_int((long long) fill_observe(&t, 1 * SEC, 1000000000), 0, "first look: no rate");
        is_int((long long) fill_observe(&t, 1 * SEC + 500000, 1100000000), 200000000, "+100 MB in 0.5 s: 200 MB/s");
        is_int((long long) fill_observe(&t, 2 * SEC, 1050000000), 0, "shrinking: 0");
        is_int((long long) fill_observe(&t, 3 * SEC, 1060000000), 10000000, "measured from the last look: 10 MB/s");
        is_int((long long) fill_observe(&t, 3 * SEC, 1070000000), 0, "no time passed: 0, not a division by zero");
        is_int((long long) fill_observe(&t, 2 * SEC, 1080000000), 0, "a clock going back: 0");
}

int main(void) {
        test_admission();
        test_disk_admission();
        test_relief();
        test_pressure();
        test_episode();
        test_leak();
        test_sleep();
        test_fill();
        return done_testing();
}
