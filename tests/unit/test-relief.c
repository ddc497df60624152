/* relief_pick_victims(): the minimal largest-first set, ties by name,
 * unknown memory.current never picked, target already met → nothing. */

#include "relief.h"
#include "test-util.h"

#define MiB (1024ULL * 1024)

/* The victims' names joined by ' ' (static buffer: fine for a test). */
static const char *names(const ReliefPlan *p, const ReliefCandidate *c) {
        static char buf[512];
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < p->n_victims; i++)
                n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", c[p->victims[i]].name);
        return buf;
}

static const ReliefCandidate agents[] = {
        { "a", 100 * MiB, true }, { "b", 400 * MiB, true }, { "c", 200 * MiB, true },
        { "d", 300 * MiB, true }, { "e", 0, false },
};

static void pick(const ReliefCandidate *c, size_t n, uint64_t total, uint64_t avail, double target, const char *want,
                 bool reached, const char *why) {
        ReliefPlan p = {};
        int r = relief_pick_victims(c, n, total, avail, target, &p);

        is_int(r, 0, "%s: result", why);
        is_str(names(&p, c), want, "%s: victims", why);
        is_int(p.reached, reached, "%s: reached", why);
        relief_plan_done(&p);
}

int main(void) {
        /* 1000 MiB host, 960 used (96 %), target 75 % → used must go below 750: free > 210. */
        pick(agents, ELEMENTSOF(agents), 1000 * MiB, 40 * MiB, 75, "b", true, "one victim is enough (400 > 210)");
        /* 990 used, target 50 % → below 500: free > 490: b (400) + d (300). */
        pick(agents, ELEMENTSOF(agents), 1000 * MiB, 10 * MiB, 50, "b d", true, "minimal largest-first prefix");
        /* Exactly at the target is not below it: 950 used, target 55 % → 550; b frees to 550, d needed. */
        pick(agents, ELEMENTSOF(agents), 1000 * MiB, 50 * MiB, 55, "b d", true, "reaching the target exactly is not enough");
        pick(agents, ELEMENTSOF(agents), 1000 * MiB, 300 * MiB, 75, "", true, "target already met: nobody");
        /* 2000 MiB used, 1000 of it outside the agents: 5 % cannot be reached. */
        pick(agents, ELEMENTSOF(agents), 2000 * MiB, 0, 5, "b d c a", false,
             "unreachable: every known agent, never the unknown one");

        static const ReliefCandidate ties[] = {
                { "zeta", 300 * MiB, true }, { "alpha", 300 * MiB, true }, { "mid", 300 * MiB, true },
                { "small", 10 * MiB, true },
        };
        pick(ties, ELEMENTSOF(ties), 1000 * MiB, 50 * MiB, 40, "alpha mid", true, "ties broken by name");
        static const ReliefCandidate ties_rev[] = {
                { "mid", 300 * MiB, true }, { "alpha", 300 * MiB, true }, { "zeta", 300 * MiB, true },
                { "small", 10 * MiB, true },
        };
        pick(ties_rev, ELEMENTSOF(ties_rev), 1000 * MiB, 50 * MiB, 40, "alpha mid", true, "input order does not matter");

        static const ReliefCandidate unknown_big[] = {
                { "huge-but-unknown", 0, false }, { "x", 100 * MiB, true },
        };
        pick(unknown_big, ELEMENTSOF(unknown_big), 1000 * MiB, 100 * MiB, 85, "x", true,
             "an agent without memory.current is skipped, not ranked as 0 or huge");

        /* memory.current larger than what is counted as used (cache counted available). */
        static const ReliefCandidate cache[] = { { "cachey", 900 * MiB, true } };
        ReliefPlan p = {};
        is_int(relief_pick_victims(cache, 1, 1000 * MiB, 500 * MiB, 40, &p), 0, "victim larger than used: result");
        is_int((long long) p.used_after, 0, "used never goes below zero");
        relief_plan_done(&p);

        pick(NULL, 0, 1000 * MiB, 10 * MiB, 75, "", false, "no agents at all: nothing to kill, not reached");

        is_int(relief_pick_victims(agents, 1, 1000, 10, 0, &p), -EINVAL, "target 0 %% is invalid");
        is_int(relief_pick_victims(agents, 1, 1000, 10, 100.5, &p), -EINVAL, "target above 100 %% is invalid");
        is_int(relief_pick_victims(agents, 1, 1000, 1001, 75, &p), -EINVAL, "MemAvailable > MemTotal is invalid");
        is_int(relief_pick_victims(agents, 1, 0, 0, 75, &p), -EINVAL, "MemTotal 0 is invalid");

        ReliefPlan q = {};
        is_int(relief_pick_victims(agents, ELEMENTSOF(agents), 1000 * MiB, 40 * MiB, 75, &q), 0, "numbers: result");
        is_int((long long) q.used_before, 960 * (long long) MiB, "numbers: used_before");
        is_int((long long) q.used_after, 560 * (long long) MiB, "numbers: used_after = used - freed");
        is_int((long long) q.target_bytes, 750 * (long long) MiB, "numbers: target in bytes");
        relief_plan_done(&q);
        return done_testing();
}
