#pragma once

/* Victim ranking for memory relief, shared by `novactl relieve` and
 * nova-reliefd so that both pick the very same agents. Pure: no I/O. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Issue 5's policy defaults (percent of MemTotal in use). */
#define RELIEF_ADMISSION_CLOSE_PERCENT 85.0
#define RELIEF_ADMISSION_REOPEN_PERCENT 80.0
#define RELIEF_KILL_PERCENT 95.0
#define RELIEF_TARGET_PERCENT 75.0

typedef struct ReliefCandidate {
        const char *name;        /* the agent's name; ties are broken by it */
        uint64_t memory_current; /* bytes */
        bool memory_known;       /* false: memory.current could not be read */
} ReliefCandidate;

typedef struct ReliefPlan {
        size_t *victims;       /* indices into the candidate array, in kill order */
        size_t n_victims;
        uint64_t used_before;  /* MemTotal - MemAvailable */
        uint64_t used_after;   /* used_before minus the victims' memory.current */
        uint64_t target_bytes; /* "below target" means used < target_bytes */
        bool reached;          /* used_after < target_bytes */
} ReliefPlan;

void relief_plan_done(ReliefPlan *p);

/* The minimal largest-first prefix of the candidates whose summed
 * memory.current brings used (MemTotal - MemAvailable - freed) below
 * target_percent of MemTotal. Ranking: memory.current descending, then name
 * ascending (strcmp), so equal inputs give equal plans. Candidates without
 * a known memory.current are never picked: what they would free is not
 * known, so killing them cannot be accounted for. Target already met → an
 * empty plan with reached = true. Not reachable even with every known
 * candidate → all of them, reached = false.
 * -EINVAL for target_percent outside (0, 100], MemTotal 0 or MemAvailable >
 * MemTotal. */
int relief_pick_victims(
                const ReliefCandidate *candidates,
                size_t n,
                uint64_t mem_total,
                uint64_t mem_available,
                double target_percent,
                ReliefPlan *ret);
