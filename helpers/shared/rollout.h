#pragma once

/* A rolling restart's memory (novactl restart): which agents a rollout has
 * restarted already, so that a re-run after a stop restarts only the rest.
 *
 * File <dir>/rollout (dir normally /run/nova-agents), key=value lines:
 *   started=<CLOCK_MONOTONIC usec>  when the rollout began
 *   selection=<text>                the agents it covers, as given ("--all", "web-* db-1")
 * An agent counts as restarted in the rollout when its
 * ActiveEnterTimestampMonotonic is at or after started: whatever started it
 * (this rollout, an earlier run of it, `novactl ensure`), it runs what is
 * installed now. The monotonic clock does not jump with the wall clock; the
 * file lives on /run and goes with a reboot, as do the timestamps it is
 * compared with. Written when a rollout begins, removed when it completes. */

#include <stdbool.h>
#include <stdint.h>

#define ROLLOUT_FILE "rollout"

typedef struct Rollout {
        uint64_t started_usec;
        char *selection;
} Rollout;

void rollout_done(Rollout *r);

/* -EBADMSG for a bad line, a missing key or a selection with a control
 * character. */
int rollout_parse(const char *text, Rollout *ret);
/* <dir>/rollout; -ENOENT when no rollout is recorded. */
int rollout_read(const char *dir, Rollout *ret);
/* Atomically, mode 0644. -EINVAL for a selection with a control character. */
int rollout_write(const char *dir, const Rollout *r);
/* Removes <dir>/rollout; gone already is success. */
int rollout_remove(const char *dir);

/* What the health gate looked at for one agent after its batch. */
typedef struct GateSample {
        const char *active_state; /* NULL: not loaded any more */
        uint64_t entered_usec;    /* ActiveEnterTimestampMonotonic; 0 unknown */
        uint64_t oom_kills;       /* oom_kill of its memory.events; UINT64_MAX unknown */
} GateSample;

typedef enum GateVerdict {
        GATE_OK,
        GATE_NOT_ACTIVE,       /* failed, inactive, still activating, gone */
        GATE_NOT_RESTARTED,    /* did not (re-)enter active during the batch */
        GATE_RESTARTED_AGAIN,  /* entered active again after the batch's jobs ended */
        GATE_OOM_KILLED,       /* the kernel OOM-killed in its cgroup */
} GateVerdict;

/* The verdict on one agent restarted between batch_start and batch_done
 * (CLOCK_MONOTONIC usec), after the health wait. */
GateVerdict rollout_gate_check(const GateSample *s, uint64_t batch_start, uint64_t batch_done);
const char *gate_verdict_text(GateVerdict v);
