#pragma once

/* nova-reliefd's soft deadlines, the pure part (deadline-heap.c): the
 * records it waits on, ordered by when to look next, and the arithmetic
 * from a process's start time to its deadline. The records, the look and
 * the SIGUSR1 are deadline.c's; the timer and the directory watch events.c's. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent-name.h"

/* systemd takes ExecMainStartTimestamp just after the fork, the kernel the
 * start time at it: the main process's start may precede systemd's by a
 * little (more under TCG), and the SIGUSR1 must never come before
 * ExecMainStartTimestamp + SoftDeadlineSec=. */
#define DEADLINE_MARGIN_USEC (100ULL * 1000)

typedef struct DeadlineEntry {
        char name[AGENT_NAME_MAX + 1];
        uint64_t soft_usec;  /* the record's SOFT_USEC */
        uint64_t cgroup_id;  /* the record's CGROUP_ID */
        uint64_t due_usec;   /* CLOCK_MONOTONIC: when to look next */
        bool sent;           /* SIGUSR1 sent, the record could not be removed */
        bool seen;           /* found by the directory scan under way */
} DeadlineEntry;

/* A binary min-heap on due_usec, the earliest at items[0]: a push, a removal
 * or a new due time is O(log n). Finding a name is a linear scan, once per
 * record written or removed (5,000 short strcmp()s: microseconds). */
typedef struct DeadlineHeap {
        DeadlineEntry *items;
        size_t n, alloc;
} DeadlineHeap;

/* The index of name's entry, -ENOENT when there is none. */
ssize_t deadline_heap_find(const DeadlineHeap *h, const char *name);
int deadline_heap_push(DeadlineHeap *h, const DeadlineEntry *e);
void deadline_heap_remove(DeadlineHeap *h, size_t i);
/* Moves entry i to its place for its new due time. */
void deadline_heap_set_due(DeadlineHeap *h, size_t i, uint64_t due_usec);
/* Drops every entry whose seen is false (after a scan), in O(n). */
void deadline_heap_keep_seen(DeadlineHeap *h);
void deadline_heap_free(DeadlineHeap *h);

/* CLOCK_BOOTTIME µs from which the SIGUSR1 may go to a main process that
 * started at start_ticks (field 22 of /proc/PID/stat: ticks since boot,
 * rounded down, so the start was before the next tick). */
uint64_t deadline_from_start(uint64_t start_ticks, uint64_t ticks_per_sec, uint64_t soft_usec);
/* A CLOCK_BOOTTIME time as CLOCK_MONOTONIC, by the two clocks' difference
 * now (they part only while the host is suspended); now_mono if it passed. */
uint64_t deadline_boot_to_monotonic(uint64_t boot_usec, uint64_t now_boot, uint64_t now_mono);
/* The first look at a record written at written_real (CLOCK_REALTIME, its
 * mtime), as CLOCK_MONOTONIC: soft after it was written. Not soft after it
 * was read: a daemon restarted 14 min into an agent's run would look 14 min
 * late. But never sooner than DEADLINE_MARGIN_USEC after it was read (also
 * if the realtime clock jumped): by then the prepare step, which writes the
 * record last and exits, cannot be taken for the first-started process. */
uint64_t deadline_first_look(uint64_t written_real, uint64_t now_real, uint64_t now_mono, uint64_t soft_usec);
