/* novactl ensure COUNT [--parallel N] [--template NAME] [--force]
 *
 * Idempotently brings the number of running agents named NAME-* (default
 * "agent", the pool's agent-001 … slots) to at least COUNT: counts first, then
 * starts only the missing ones, lowest free slot first, at most N start jobs
 * in flight (a new one as soon as one ends). What they run comes from
 * /etc/nova-agents (no runtime file is written). A second run with the same
 * COUNT starts nothing. Respects the admission state like spawn. */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "agent-name.h"
#include "novactl.h"
#include "str-util.h"

#define ENSURE_MAX 100000

typedef struct EnsureArgs {
        unsigned long count, parallel;
        const char *template;
        bool force;
} EnsureArgs;

static int parse_args(int argc, char **argv, EnsureArgs *a) {
        static const struct option options[] = {
                { "parallel", required_argument, NULL, 'p' },
                { "template", required_argument, NULL, 't' },
                { "force", no_argument, NULL, 'f' },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "p:t:f", options, NULL)) >= 0)
                if (c == 'p' && (parse_ulong(optarg, 1024, &a->parallel) < 0 || a->parallel == 0)) {
                        log_error("--parallel wants a number from 1 to 1024");
                        return -EINVAL;
                } else if (c == 't')
                        a->template = optarg;
                else if (c == 'f')
                        a->force = true;
                else if (c != 'p')
                        return -EINVAL; /* getopt said why */
        if (optind != argc - 1 || parse_ulong(argv[optind], ENSURE_MAX, &a->count) < 0) {
                log_error("ensure wants one COUNT from 0 to %d", ENSURE_MAX);
                return -EINVAL;
        }
        _cleanup_(freep) char *probe = str_printf("%s-%05d", a->template, ENSURE_MAX);
        if (!probe)
                return log_oom();
        if (!agent_name_is_valid(probe)) {
                log_error("--template %s: not a valid start of agent names: %s", a->template, AGENT_NAME_RULE);
                return -EINVAL;
        }
        return 0;
}

/* The running agents sorted by name, each slot a binary search: at 5,000
 * agents a linear search per slot made ensure quadratic (25 M compares). */
static int by_name(const void *a, const void *b) {
        return strcmp(((const AgentUnit *) a)->name, ((const AgentUnit *) b)->name);
}

static int by_unit(const void *a, const void *b) {
        return strcmp(((const AgentUnit *) a)->unit, ((const AgentUnit *) b)->unit);
}

static bool listed(const AgentUnit *sorted, size_t n, const char *name) {
        AgentUnit key = { .name = (char *) name };
        return n > 0 && bsearch(&key, sorted, n, sizeof *sorted, by_name);
}

static void progress(bool tty, size_t done, size_t missing) {
        if (tty)
                fprintf(stderr, "\rstarting: %zu/%zu", done, missing);
}

/* Starts the missing slots with at most a->parallel start jobs in flight: a
 * new one as soon as one ends (a sliding window, not rounds). After the
 * first failed job no new one is started; the running ones are waited for. */
static int start_missing(sd_bus *bus, const EnsureArgs *a, const AgentUnit *running, size_t n_running,
                         size_t missing, char ***started_units) {
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        bool tty = isatty(STDERR_FILENO);
        unsigned long slot = 1;
        size_t queued = 0;
        int r;

        r = job_wait_new(bus, &w);
        while (r == 0 && queued < missing && !job_wait_any_failed(w)) {
                _cleanup_(freep) char *name = str_printf("%s-%03lu", a->template, slot++);
                _cleanup_(freep) char *unit = name ? agent_unit_from_name(name) : NULL;
                if (!unit)
                        return log_oom();
                if (listed(running, n_running, name))
                        continue;
                if (a->force && !arg_host)
                        r = admit_once(name);
                if (r == 0)
                        r = job_wait_enqueue(w, "StartUnit", unit);
                if (r == 0 && strv_push(started_units, TAKE_PTR(unit)) < 0)
                        return log_oom();
                queued++;
                if (r == 0)
                        r = job_wait_some(w, a->parallel - 1, now_usec(CLOCK_MONOTONIC) + JOB_WAIT_USEC);
                progress(tty, queued - job_wait_running(w), missing);
        }
        if (r == 0)
                r = job_wait_all(w, JOB_WAIT_USEC);
        /* Tokens of --force not consumed by a start must not outlive this run. */
        for (char **u = *started_units; a->force && !arg_host && u && *u; u++) {
                _cleanup_(freep) char *name = agent_name_from_unit(*u);
                if (name)
                        admit_forget(name);
        }
        progress(tty, queued - job_wait_running(w), missing);
        if (tty)
                fputc('\n', stderr);
        return r;
}

/* A start job that ended "done" does not prove a running agent (its
 * start condition may have been unmet: admission closed): count again, and
 * explain each started agent that is not running. */
static int verify_started(sd_bus *bus, char **patterns, char **started, size_t want) {
        AgentUnit *units = NULL;
        size_t n = 0;
        int r, ret = 0;

        r = bus_list_agents(bus, agent_states_running, patterns, &units, &n);
        if (r < 0)
                return r;
        if (n > 0)
                qsort(units, n, sizeof *units, by_unit);
        for (char **s = started; n < want && *s; s++) {
                AgentUnit key = { .unit = *s };
                bool found = n > 0 && bsearch(&key, units, n, sizeof *units, by_unit);
                if (!found && (r = agent_check_started(bus, *s)) < 0)
                        ret = ret ?: r;
        }
        printf("%zu running\n", n);
        agent_units_free(units, n);
        if (ret == 0 && n < want) {
                log_error("%zu of %zu agents run after the starts (did some exit at once?)", n, want);
                ret = -ECANCELED;
        }
        return ret;
}

static int ensure(int argc, char **argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *pattern = NULL;
        _cleanup_(admission_state_done) AdmissionState adm = {};
        _cleanup_(strv_freep) char **started = NULL;
        EnsureArgs a = { .parallel = 16, .template = "agent" };
        AgentUnit *units = NULL;
        size_t n = 0;
        int r;

        r = parse_args(argc, argv, &a);
        if (r < 0)
                return r;
        pattern = str_printf(AGENT_UNIT_PREFIX "%s-*" AGENT_UNIT_SUFFIX, a.template);
        if (!pattern)
                return log_oom();
        char *patterns[] = { pattern, NULL };
        r = bus_connect(&bus);
        if (r == 0)
                r = bus_list_agents(bus, agent_states_running, patterns, &units, &n);
        if (r < 0)
                return r;

        /* On -H the remote agents' start condition decides (verify_started() reports it). */
        if (n < a.count && !a.force && !arg_host) {
                r = admission_read(novactl_rundir(), &adm, NULL, NULL);
                if (r < 0 || adm.closed) {
                        log_error("admission is %s: not starting %lu agents (--force overrides)",
                                  r < 0 ? "unreadable" : "closed", a.count - n);
                        agent_units_free(units, n);
                        return -EBUSY;
                }
        }
        /* bus_list_agents() sorted them by name: listed() can search. */
        r = n < a.count ? start_missing(bus, &a, units, n, a.count - n, &started) : 0;
        if (r == 0)
                printf("%zu were running, %zu started\n", n, n < a.count ? (size_t) a.count - n : 0);
        agent_units_free(units, n);
        if (r == 0 && started)
                r = verify_started(bus, patterns, started, a.count);
        return r;
}

int verb_ensure(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(ensure(argc, argv));
}
