#pragma once

/* nova-reliefd: memory relief and admission control for nova-agents.slice,
 * and the agents' soft deadlines. reliefd.c is main(); events.c holds every
 * event source and callback and the one error policy; the actions it calls:
 * monitor.c takes one look (a "tick") and acts, victims.c kills and
 * confirms, deadline.c sends the soft deadlines' SIGUSR1, output.c writes
 * the journal entries, the admission file and the metrics. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-event.h>

#include "deadline.h"
#include "disk-fill.h"
#include "host-memory.h"
#include "policy.h"
#include "relief-config.h"
#include "time-util.h"

/* The journal catalog (catalog/nova-agent-host.catalog) documents each. */
#define MSGID_ADMISSION_CLOSED "e561582b674143dba62b193dcad31d29"
#define MSGID_ADMISSION_OPENED "d96be1f28c5f4bd1b87ad32cc71d4e9f"
#define MSGID_VICTIM_CHOSEN "c6c27f56f55f4fd8900267a27ebc56e3"
#define MSGID_VICTIM_GONE "23129094f5a54e9aa9e355e8e4294047"
#define MSGID_RELIEF_DONE "709779cb04e54902802c1581e6e756b9"
#define MSGID_LEAK "880855a592164b1ab11d1056a6b5d88c"
#define MSGID_PRESSURE_OUTSIDE "ca445e71d75c43459abd2a3aa0d80ecd"
#define MSGID_PRESSURE_HINT "da963bf152e447a4b8eb4d1a0f57ecca"

enum {
        RELIEFD_EXIT_OK = 0,
        RELIEFD_EXIT_FAILURE = 1, /* internal error */
        RELIEFD_EXIT_CONFIG = 2,  /* reliefd.conf or the command line is bad */
        RELIEFD_EXIT_HOST = 3,    /* no cgroup v2 or /proc/meminfo unreadable */
};

#define RELIEFD_NAME_MAX 128

typedef struct Victim {
        char name[RELIEFD_NAME_MAX]; /* the cgroup's directory name in the slice */
        uint64_t bytes;              /* memory.current when chosen */
        uint64_t cgroup_id;          /* the cgroup directory's inode when chosen: this
                                      * instance, not a later one of the same name; 0 unknown */
        uint64_t killed_usec;        /* CLOCK_MONOTONIC */
        unsigned rank;
        sd_event_source *watch;      /* cgroup.events, POLLPRI */
        bool gone;
} Victim;

/* A unit of the slice as the last sampling look saw it (sample.c). */
typedef struct Agent {
        char name[RELIEFD_NAME_MAX];
        LeakTrack leak;
        uint64_t bytes, tasks;    /* memory.current, pids.current (0 if unreadable) */
        int mem_fd, pids_fd;      /* kept open from look to look; -1: none */
        bool in_flight;           /* a victim still dying (victims_flag_agents()) */
} Agent;

/* What woke the daemon: the label of nova_reliefd_wakeups_total. */
typedef enum WakeupSource {
        WAKEUP_TIMER,         /* the sleep between looks ran out */
        WAKEUP_PSI,           /* a PSI trigger, the host's or the slice's */
        WAKEUP_MEMORY_EVENTS, /* the slice's memory.events */
        WAKEUP_VICTIM,        /* a victim's cgroup.events */
        WAKEUP_DEADLINE,      /* a soft deadline's time */
        WAKEUP_INOTIFY,       /* a soft-deadline record written or removed */
        _WAKEUP_SOURCE_MAX,
} WakeupSource;

typedef struct Daemon {
        ReliefConfig config;
        const char *proc_root, *slice_dir, *rundir, *confdir;
        sd_event *event;
        sd_event_source *timer;
        sd_event_source *look_later; /* one look after a batch of victims' events */
        AdmissionMachine admission;
        Victim *victims; /* in flight */
        size_t n_victims;
        Agent *agents;   /* the slice's units at the last sampling look, sorted by name */
        size_t n_agents;
        uint64_t leak_sampled_usec; /* CLOCK_MONOTONIC of its last sample; 0: due */
        HostMemory host;
        FillTrack fill;  /* used memory at the previous look */
        PressureTrack pressure; /* the host's memory "full" PSI (pressure_step()) */
        double full_avg10;      /* its last reading, percent */
        bool pressure_logged;   /* this episode's relief under pressure was said */
        EpisodeTrack episode;   /* a relief until used < target (episode_step()) */
        /* Counters for the metrics. */
        uint64_t kills_total, reliefs_total, transitions_total, outside_total, soft_deadlines_total;
        uint64_t pressure_reliefs_total;
        uint64_t wakeups[_WAKEUP_SOURCE_MAX];
        uint64_t looks_total;      /* the first look, one per wakeup of the first three sources,
                                    * one per batch of victims' events */
        uint64_t last_relief_usec; /* CLOCK_REALTIME */
        uint64_t last_relief_victims;
        char reason[160];          /* of the last admission change */
        uint64_t since_usec;       /* CLOCK_REALTIME of it */
        bool relief_running;
        bool outside_logged;
        uint64_t metrics_written_usec;
        bool slice_watched;
        sd_event_source *slice_psi, *slice_events;
        /* Disk admission (disk.c): the workspaces' filesystem, then DiskPaths=. */
        AdmissionMachine disk;
        DiskFill disk_fills[1 + RELIEF_DISK_PATHS_MAX];
        size_t n_disk_fills;
        char disk_reason[160];          /* of the last disk close */
        /* Soft deadlines (deadline.c): the records of <rundir>/soft-deadline. */
        DeadlineHeap deadlines;
        char *deadline_dir;
        int deadline_dir_fd;            /* -EBADF while not watched */
        sd_event_source *deadline_timer, *deadline_watch;
} Daemon;

/* events.c: the event sources (PSI triggers, memory.events of the slice,
 * cgroup.events of each victim, the timer, the soft deadlines' timer and
 * directory watch) and their callbacks. */
int events_setup(Daemon *d);
/* What every memory callback does: reap, look, watch the new victims, arm
 * the timer; an error of the look or the timer ends the loop
 * (RELIEFD_EXIT_HOST). source is counted in d->wakeups. */
int events_wakeup(Daemon *d, WakeupSource source);
/* The first look, through the same policy as every wakeup: the exit code
 * it asks for, RELIEFD_EXIT_OK to go on. */
int events_first_look(Daemon *d);
void events_done(Daemon *d);

/* monitor.c: one look and what follows from it; how long to sleep after
 * it. < 0 (logged) only when the host cannot be read: see events.c. */
int monitor_tick(Daemon *d, uint64_t *ret_sleep_usec);

/* sample.c: d->agents becomes the units now in the slice, each with its
 * memory.current and pids.current (units gone meanwhile are left out);
 * *ret_n their number. -errno if the slice cannot be read. */
int slice_sample(Daemon *d, size_t *ret_n);
void agents_free(Daemon *d);

/* victims.c */
int victims_kill(Daemon *d, const ReliefPlan *plan, const ReliefCandidate *c);
uint64_t victims_in_flight_bytes(const Daemon *d);
/* Flags the agents (d->agents) that are victims in flight: O(v log n). */
void victims_flag_agents(Daemon *d);
/* A victim's cgroup is empty (its cgroup.events said so): no longer in flight. */
void victims_confirm(Daemon *d, Victim *v);
/* Once per wakeup, before the look. */
void victims_reap(Daemon *d);
/* The in-flight list survives a restart in <rundir>/relief-inflight. */
int victims_save(const Daemon *d);
int victims_restore(Daemon *d);
void victims_free(Daemon *d);

/* disk.c: one look at the disks after the memory admission step; never
 * kills. disk_keeps_closed(): memory reopens, but disk still closes
 * admission (it republishes the disk's reason): true, log no "opened". */
void disk_tick(Daemon *d, double used_percent);
bool disk_keeps_closed(Daemon *d, double used_percent);
void disk_metrics(const Daemon *d, FILE *f);

/* deadline.c: the soft deadlines (soft-deadline.h). deadline_dir_open()
 * makes <rundir>/soft-deadline if it is missing and opens it; scan reads it
 * whole (at the start, after an inotify overflow) and forgets records no
 * longer there; changed reads one record after an inotify event; due sends
 * SIGUSR1 for every record due by now (or finds it later, or gone). */
int deadline_dir_open(Daemon *d);
void deadline_scan(Daemon *d);
void deadline_changed(Daemon *d, const char *name);
void deadline_due(Daemon *d);
void deadline_done(Daemon *d);

/* hint.c: SoftPressureHint=yes, when admission closes. */
void hint_send(const Daemon *d);

/* output.c */
/* Writes the admission file; reason NULL keeps the last one (e.g. when
 * only the last relief changed). */
int admission_publish(Daemon *d, double used_percent, const char *reason);
int metrics_write(Daemon *d, bool force);
extern const char *const wakeup_source_names[_WAKEUP_SOURCE_MAX];
