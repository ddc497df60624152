#pragma once

/* nova-reliefd's decisions, pure (no I/O, the clock passed in) so that unit
 * tests drive them with fixture numbers: the admission hysteresis, when to
 * relieve and whom to kill (counting memory that victims already killed are
 * about to free), the leak watch and the adaptive sleep. */

#include <stdbool.h>
#include <stdint.h>

#include "disk-fill.h"
#include "relief-config.h"
#include "relief.h"

typedef enum AdmissionChange {
        ADMISSION_UNCHANGED,
        ADMISSION_CLOSE,
        ADMISSION_OPEN,
} AdmissionChange;

typedef struct AdmissionMachine {
        bool closed;
        uint64_t since_usec;       /* of the last transition */
        uint64_t reopen_since_usec; /* closed and at or below the reopen level since; 0: not */
} AdmissionMachine;

/* Closes at >= close%; reopens only after used stayed <= reopen% for the
 * hold time (any sample above it restarts the hold). */
AdmissionChange admission_step(AdmissionMachine *m, const ReliefConfig *c, double used_percent, uint64_t now_usec);

/* The same for disk (issue 15), on the fullest of the watched filesystems
 * (blocks or inodes, whichever is fuller) against DiskClosePercent= and
 * DiskReopenPercent= held DiskReopenHoldSec=. Entries with size_bytes 0
 * (unreadable) are skipped; *ret_worst is the fullest's index, SIZE_MAX
 * when none was readable (then nothing changes). */
AdmissionChange disk_admission_step(AdmissionMachine *m, const ReliefConfig *c, const DiskFill *fills, size_t n,
                                    uint64_t now_usec, size_t *ret_worst);

/* Admission is closed while memory or disk closes it: how the published
 * state changes when one of them changed. */
AdmissionChange admission_overall(bool was_closed, bool memory_closed, bool disk_closed);

/* Whether relief is due, and whom to kill: used (MemTotal - MemAvailable)
 * minus what in-flight victims (killed, not yet gone) will free is compared
 * with kill%; if at or above, the minimal largest-first set that brings it
 * below target% (relief_pick_victims()). The candidates must not include
 * the in-flight victims. plan->n_victims == 0 and *ret_due false when
 * nothing is due. forced: due whatever used is (pressure_step(), or
 * episode_step()). */
int relief_decide(const ReliefConfig *c, const ReliefCandidate *candidates, size_t n, uint64_t mem_total,
                  uint64_t mem_available, uint64_t in_flight_bytes, bool forced, bool *ret_due, ReliefPlan *plan);

/* Relief under pressure (forced above): a host can thrash below
 * kill% (the 5,000-agent bench sat at 94.0 %, memory "full" PSI 90 %, for
 * minutes: reclaim took the programs' own pages, and 95 % was never reached).
 * True once memory "full" avg10 has stayed >= ReliefPressurePercent= for
 * ReliefPressureSec= with used >= AdmissionClosePercent= all along, and no
 * agent throttled at its MemoryHigh= meanwhile (high_events, "high" of the
 * slice's memory.events, unchanged): host-wide PSI counts a throttled
 * agent's stalls too, and on a host of idle agents one throttled agent
 * alone would read as "every task stalled". Any sample outside restarts
 * the wait, and so does every look with victims in flight: PSI's avg10
 * lags the kills by seconds, so a round's answer is judged only
 * ReliefPressureSec= after its victims are gone (the fourth 5,000-agent run
 * fired a second round of 1,611 agents 0.3 s after the first round's were).
 * ReliefPressureSec=0: never. */
/* The condition alone, for one sample (the step below needs it to hold
 * throughout): whether high_events is worth reading at all. */
bool pressure_may_be_due(const ReliefConfig *c, double full_avg10, double used_percent);
typedef struct PressureTrack {
        uint64_t since_usec; /* 0: not under pressure */
        uint64_t high_events; /* at since_usec */
} PressureTrack;
bool pressure_step(PressureTrack *t, const ReliefConfig *c, uint64_t now_usec, double full_avg10,
                   double used_percent, uint64_t high_events, bool victims_in_flight);

/* A relief is an episode that ends only when used is below target%. One
 * round can stop short: memory.current over-states what a kill frees (a
 * victim's page cache was counted as available already, a dead cgroup's
 * memory goes later) and survivors may grow meanwhile (the 5,000-agent
 * bench of 2026-12-02 sat at 76 % after its one round, for 20 minutes).
 * So once the round's victims are gone and used has settled (not fallen by
 * RELIEF_SETTLE_PERCENT within RELIEF_SETTLE_USEC: memory still on its way
 * back is not killed for again), another round is due while used is at or
 * above target%. episode_start() when a round kills; episode_step() at
 * every look: true when the next round is due (the settling starts again). */
#define RELIEF_SETTLE_USEC (30ULL * 1000 * 1000)
#define RELIEF_SETTLE_PERCENT 0.5
typedef struct EpisodeTrack {
        bool active;
        uint64_t since_usec; /* settling since; 0: not settling */
        double low_percent;  /* used then */
} EpisodeTrack;
void episode_start(EpisodeTrack *t);
bool episode_step(EpisodeTrack *t, const ReliefConfig *c, uint64_t now_usec, double used_percent,
                  bool victims_in_flight);

/* Whether relief may be due: used at or above kill% before counting what
 * victims in flight will free. false: relief_decide() would say "not due",
 * so a look need not read every agent's cgroup. */
bool relief_may_be_due(const ReliefConfig *c, uint64_t mem_total, uint64_t mem_available);

/* How often the leak watch samples every agent: a tenth of its window
 * (at least 1 s). A leak is a rate over the whole window, so looking at
 * 5,000 agents on every wakeup would only repeat the same verdict. */
uint64_t leak_sample_interval_usec(const ReliefConfig *c);

typedef struct LeakTrack {
        uint64_t start_usec, start_bytes, start_tasks;
} LeakTrack;

/* Feeds one sample of an agent. Returns true (and the growth rate in bytes
 * per hour) when over a full window with no new tasks it grew faster than
 * the configured rate; the window then starts again, so an agent is warned
 * about at most once per window. A new task or a shrink restarts it. */
bool leak_step(LeakTrack *t, const ReliefConfig *c, uint64_t now_usec, uint64_t bytes, uint64_t tasks,
               uint64_t *ret_bytes_per_hour);

/* The host's fill rate between two looks: bytes per second by which used
 * memory grew since the previous call, 0 on the first call or when it did
 * not grow. */
typedef struct FillTrack {
        uint64_t usec, used;
} FillTrack;
uint64_t fill_observe(FillTrack *t, uint64_t now_usec, uint64_t used);

/* How long to sleep until the next look: the headroom to kill% divided by
 * the worst-case fill rate (earlyoom's idea), within [min, max]. The worst
 * case is the configured rate or twice the observed one, whichever is
 * faster, so a storm filling faster than FillRateMBPerSec= is not overslept.
 * PSI and memory.events wake the daemon earlier. */
#define RELIEF_MIN_SLEEP_USEC (50ULL * 1000)
uint64_t relief_sleep_usec(const ReliefConfig *c, uint64_t mem_total, uint64_t mem_available,
                           uint64_t observed_bytes_per_sec);
