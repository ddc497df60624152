/* novactl [-H HOST…] restart NAME|GLOB…|--all [--batch N] [--pause DURATION]
 *                 [--health DURATION] [--host-pause DURATION] [--new]
 *
 * Seed 002's rolling update: restart running agents N at a time (at most N
 * down at once: one RestartUnit job each, the batch's jobs in flight
 * together), wait --health, and let the next batch go only when every agent
 * of this one is active, entered active during its restart and not since,
 * and was not OOM-killed. The first failed gate stops the rollout with a
 * summary. The rollout's start is kept in <rundir>/rollout (rollout.h): a
 * re-run skips each agent that entered active after it, i.e. restarts only
 * the rest; a completed rollout removes the file.
 *
 * With -H the same rollout goes host by host in the given order (main's
 * loop stops at the first host whose rollout stops), --host-pause between
 * hosts. Each host's record is <rundir>/rollout.d/HOST/rollout on the
 * machine novactl runs on, and the clock is the wall clock (the host's
 * monotonic clock is not ours): ActiveEnterTimestamp against the rollout's
 * start, so the hosts' clocks must agree to a few seconds (NTP). The OOM
 * part of the gate needs the host's cgroupfs: not checked over -H. */

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent-name.h"
#include "host-memory.h"
#include "novactl.h"
#include "rollout.h"
#include "str-util.h"

#define BATCH_MAX 10000UL

typedef struct RestartArgs {
        unsigned long batch;
        uint64_t pause_usec, health_usec, host_pause_usec;
        bool all, fresh;
        char **targets; /* names or globs; not owned */
} RestartArgs;

typedef struct Plan {
        AgentUnit *units; /* the running agents selected, by name */
        size_t n;
        uint64_t *entered; /* their ActiveEnterTimestamp(Monotonic), rollout_clock() */
        size_t *todo;      /* indexes into units still to restart */
        size_t n_todo, n_done, n_failed;
} Plan;

static void plan_done(Plan *p) {
        agent_units_free(p->units, p->n);
        free(p->entered);
        free(p->todo);
}

/* Local: the monotonic clock and ActiveEnterTimestampMonotonic. Over -H:
 * the wall clock and ActiveEnterTimestamp (see the top of the file). */
static clockid_t rollout_clock(void) {
        return arg_host ? CLOCK_REALTIME : CLOCK_MONOTONIC;
}

static const char *entered_property(void) {
        return arg_host ? "ActiveEnterTimestamp" : "ActiveEnterTimestampMonotonic";
}

/* Where this host's rollout is recorded: <rundir>, or <rundir>/rollout.d/HOST
 * (made here) over -H. NULL: out of memory or a HOST unfit for a file name. */
static char *rollout_dir(void) {
        if (!arg_host)
                return strdup(novactl_rundir());
        if (strchr(arg_host, '/') || strcmp(arg_host, ".") == 0 || strcmp(arg_host, "..") == 0)
                return NULL;
        _cleanup_(freep) char *parent = str_printf("%s/rollout.d", novactl_rundir());
        char *h = parent ? str_printf("%s/%s", parent, arg_host) : NULL;
        /* A directory that cannot be made shows as the record that cannot be written. */
        if (h && (mkdir(parent, 0755) >= 0 || errno == EEXIST))
                (void) mkdir(h, 0755);
        return h;
}

/* A name, or a glob of name characters and * ? [ ] ! (fnmatch, as
 * ListUnitsByPatterns matches them). */
static bool target_is_valid(const char *t) {
        if (agent_name_is_valid(t))
                return true;
        if (!*t || t[0] == '-' || strlen(t) > AGENT_NAME_MAX)
                return false;
        return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.*?[]!") == strlen(t);
}

static int parse_duration_arg(const char *opt, const char *v, uint64_t *ret) {
        if (parse_duration(v, ret) < 0) {
                log_error("%s wants a duration like 500ms, 2s, 5min, 1h", opt);
                return -EINVAL;
        }
        return 0;
}

static int parse_args(int argc, char **argv, RestartArgs *a) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },       { "batch", required_argument, NULL, 'b' },
                { "pause", required_argument, NULL, 'p' }, { "health", required_argument, NULL, 'H' },
                { "new", no_argument, NULL, 'n' },       { "host-pause", required_argument, NULL, 'P' },
                {}
        };
        int c, r = 0;

        optind = 0;
        while (r == 0 && (c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                if (c == 'a')
                        a->all = true;
                else if (c == 'n')
                        a->fresh = true;
                else if (c == 'p')
                        r = parse_duration_arg("--pause", optarg, &a->pause_usec);
                else if (c == 'H')
                        r = parse_duration_arg("--health", optarg, &a->health_usec);
                else if (c == 'P')
                        r = parse_duration_arg("--host-pause", optarg, &a->host_pause_usec);
                else if (c != 'b')
                        return -EINVAL; /* getopt said why */
                else if (parse_ulong(optarg, BATCH_MAX, &a->batch) < 0 || a->batch == 0) {
                        log_error("--batch wants a number from 1 to %lu", BATCH_MAX);
                        return -EINVAL;
                }
        if (r < 0)
                return r;
        if (a->all == (optind < argc)) {
                log_error("restart wants agent names or globs, or --all (not both)");
                return -EINVAL;
        }
        for (int i = optind; i < argc; i++)
                if (!target_is_valid(argv[i])) {
                        _cleanup_(freep) char *e = str_escape(argv[i]);
                        log_error("invalid agent name or glob \"%s\": %s (globs: * ? [ ])", e ? e : "", AGENT_NAME_RULE);
                        return -EINVAL;
                }
        a->targets = argv + optind;
        return 0;
}

static char *selection_text(const RestartArgs *a) {
        char *s = strdup(a->all ? "--all" : "");
        for (char **t = a->targets; s && !a->all && *t; t++) {
                char *n = str_printf("%s%s%s", s, *s ? " " : "", *t);
                free(s);
                s = n;
        }
        return s;
}

/* The recorded rollout if it is this one, else a new one (--new, or none
 * recorded). A different unfinished rollout is refused (-EINVAL): its
 * record would be lost. Else the errno of the record's read or write. */
static int rollout_begin(const RestartArgs *a, const char *dir, Rollout *ret) {
        _cleanup_(rollout_done) Rollout old = {};
        _cleanup_(freep) char *sel = selection_text(a);
        int r;

        if (!sel)
                return log_oom();
        r = a->fresh ? -ENOENT : rollout_read(dir, &old);
        if (r >= 0 && strcmp(old.selection, sel) == 0) {
                uint64_t ago = now_usec(rollout_clock()) - old.started_usec;
                printf("going on with the rollout of %s started %llu s ago\n", sel, (unsigned long long) (ago / 1000000));
                *ret = old;
                old.selection = NULL;
                return 0;
        }
        if (r >= 0) {
                log_error("an unfinished rollout of \"%s\" is recorded in %s/" ROLLOUT_FILE "; re-run it, or pass --new",
                          old.selection, dir);
                return -EINVAL;
        }
        if (r != -ENOENT && r != -EBADMSG) {
                log_error("cannot read %s/" ROLLOUT_FILE ": %s", dir, strerror(-r));
                return r;
        }
        *ret = (Rollout) { .started_usec = now_usec(rollout_clock()), .selection = TAKE_PTR(sel) };
        /* Its -EINVAL (a control character) cannot happen: parse_args() checked the targets. */
        r = rollout_write(dir, ret);
        if (r < 0) {
                log_error("cannot write %s/" ROLLOUT_FILE ": %s", dir, strerror(-r));
                rollout_done(ret);
                return r;
        }
        return 0;
}

static int patterns_for(char **targets, char ***ret) {
        for (char **t = targets; t && *t; t++) {
                char *p = str_printf(AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX, *t);
                if (!p || strv_push(ret, p) < 0) {
                        free(p);
                        return log_oom();
                }
        }
        return 0;
}

/* ActiveEnterTimestamp(Monotonic) of units[0..n), pipelined (prop batch). */
static int read_entered(sd_bus *bus, const AgentUnit *units, size_t n, uint64_t *entered) {
        _cleanup_(prop_batch_freep) PropBatch *b = NULL;
        int r;

        if (prop_batch_new(bus, n, &b) < 0)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                entered[i] = 0;
                r = prop_batch_add_u64(b, units[i].unit, "org.freedesktop.systemd1.Unit", entered_property(), false,
                                       &entered[i]);
                if (r < 0)
                        return bus_log_error("cannot read ActiveEnterTimestamp", NULL, r);
        }
        return prop_batch_wait(b);
}

static int plan_make(sd_bus *bus, const RestartArgs *a, const Rollout *ro, Plan *p) {
        static char *running[] = { (char *) "active", (char *) "activating", (char *) "reloading", NULL };
        _cleanup_(strv_freep) char **patterns = NULL;
        int r;

        r = patterns_for(a->all ? NULL : a->targets, &patterns);
        if (r == 0)
                r = bus_list_agents(bus, running, patterns, &p->units, &p->n);
        if (r < 0)
                return r;
        if (p->n == 0) {
                log_error("no running agent matches %s", ro->selection);
                return -ENXIO;
        }
        if (!(p->entered = calloc(p->n, sizeof(uint64_t))) || !(p->todo = calloc(p->n, sizeof(size_t))))
                return log_oom();
        r = read_entered(bus, p->units, p->n, p->entered);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n; i++)
                if (p->entered[i] < ro->started_usec)
                        p->todo[p->n_todo++] = i;
        return 0;
}

static void sleep_usec(uint64_t usec) {
        struct timespec ts = { (time_t) (usec / 1000000), (long) (usec % 1000000) * 1000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static uint64_t oom_kills_of(const char *name) {
        _cleanup_(freep) char *dir = agent_cgroup_dir(name);
        AgentCgroup cg;
        return dir && agent_cgroup_read(dir, &cg) >= 0 ? cg.oom_kill : AGENT_CGROUP_UNKNOWN;
}

/* After the health wait: every agent of the batch judged, each failure
 * printed; -ECANCELED when any failed. */
static int gate(sd_bus *bus, Plan *p, size_t first, size_t count, uint64_t start, uint64_t done) {
        _cleanup_(strv_freep) char **patterns = NULL;
        _cleanup_(freep) uint64_t *entered = calloc(count, sizeof(uint64_t));
        AgentUnit *now = NULL;
        size_t n_now = 0;
        int r;

        if (!entered)
                return log_oom();
        for (size_t k = 0; k < count; k++) {
                char *u = strdup(p->units[p->todo[first + k]].unit);
                if (!u || strv_push(&patterns, u) < 0) {
                        free(u);
                        return log_oom();
                }
        }
        r = bus_list_agents(bus, NULL, patterns, &now, &n_now);
        if (r == 0)
                r = read_entered(bus, now, n_now, entered);
        for (size_t k = 0; k < count && r == 0; k++) {
                const AgentUnit *u = &p->units[p->todo[first + k]];
                GateSample s = { .oom_kills = arg_host ? UINT64_MAX : oom_kills_of(u->name) };
                for (size_t j = 0; j < n_now; j++)
                        if (strcmp(now[j].unit, u->unit) == 0)
                                s = (GateSample) { now[j].active_state, entered[j], s.oom_kills };
                GateVerdict v = rollout_gate_check(&s, start, done);
                if (v == GATE_OK)
                        continue;
                log_error("%s: %s (%s). See \"journalctl -u %s\".", u->name, gate_verdict_text(v),
                          s.active_state ? s.active_state : "not loaded", u->unit);
                p->n_failed++;
        }
        agent_units_free(now, n_now);
        return r ?: p->n_failed > 0 ? -ECANCELED : 0;
}

static int run_batch(sd_bus *bus, const RestartArgs *a, Plan *p, size_t first, size_t count) {
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        uint64_t start = now_usec(rollout_clock());
        int r, jobs;

        r = job_wait_new(bus, &w);
        for (size_t k = 0; k < count && r == 0; k++)
                r = job_wait_enqueue(w, "RestartUnit", p->units[p->todo[first + k]].unit);
        if (r < 0)
                return r;
        /* A failed job is reported here; the gate then names the agent too. */
        jobs = job_wait_all(w, JOB_WAIT_USEC);
        uint64_t done = now_usec(rollout_clock());
        p->n_done += count;
        sleep_usec(a->health_usec);
        r = gate(bus, p, first, count, start, done);
        return r ?: jobs;
}

static void progress(bool tty, const Plan *p, size_t batch, size_t batches) {
        if (tty)
                fprintf(stderr, "\rrestarted %zu/%zu (batch %zu/%zu)", p->n_done, p->n_todo, batch, batches);
}

/* The batches of one host's rollout, and the summary. */
static int roll(sd_bus *bus, const RestartArgs *a, Plan *p, const char *dir) {
        bool tty = isatty(STDERR_FILENO);
        size_t batches = (p->n_todo + a->batch - 1) / a->batch;
        int r = 0;

        printf("%zu agents: %zu restarted in this rollout already, %zu to restart in %zu batches of up to %lu\n", p->n,
               p->n - p->n_todo, p->n_todo, batches, a->batch);
        fflush(stdout);
        for (size_t b = 0; b < batches && r == 0; b++) {
                if (b > 0)
                        sleep_usec(a->pause_usec);
                size_t first = b * a->batch, count = p->n_todo - first < a->batch ? p->n_todo - first : a->batch;
                r = run_batch(bus, a, p, first, count);
                progress(tty, p, b + 1, batches);
        }
        if (tty && batches > 0)
                fputc('\n', stderr);
        if (r < 0) {
                printf("stopped: %zu of %zu restarted (%zu failed the health gate), %zu not restarted; "
                       "re-run the same command to go on\n", p->n_done, p->n_todo, p->n_failed, p->n_todo - p->n_done);
                return r;
        }
        printf("restarted %zu agents\n", p->n_done);
        r = rollout_remove(dir);
        if (r < 0)
                log_error("cannot remove %s/" ROLLOUT_FILE ": %s", dir, strerror(-r));
        return 0;
}

static int restart(int argc, char **argv, const Fleet *fleet) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(rollout_done) Rollout ro = {};
        _cleanup_(plan_done) Plan p = {};
        _cleanup_(freep) char *dir = NULL;
        RestartArgs a = { .batch = 10, .health_usec = 10ULL * 1000 * 1000 };
        int r;

        r = parse_args(argc, argv, &a);
        if (r < 0)
                return r;
        if (!(dir = rollout_dir())) {
                log_error("cannot record a rollout for host \"%s\"", arg_host ? arg_host : "");
                return -EINVAL;
        }
        /* Host by host (-H, in order): the pause before each but the first. */
        if (fleet && fleet->index > 0)
                sleep_usec(a.host_pause_usec);
        r = bus_connect(&bus);
        if (r == 0)
                r = rollout_begin(&a, dir, &ro);
        if (r == 0 && (r = plan_make(bus, &a, &ro, &p)) < 0 && p.n == 0)
                (void) rollout_remove(dir); /* nothing to roll out: no record to keep */
        return r < 0 ? r : roll(bus, &a, &p, dir);
}

int verb_restart(int argc, char **argv, void *userdata) {
        return exit_code_from_errno(restart(argc, argv, userdata));
}
