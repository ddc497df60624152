/* novactl stop NAME…|--all [--force]
 *
 * Graceful: StopUnit, i.e. the unit's own stop path (SIGTERM, 10 s, SIGKILL
 * to the whole cgroup). --force: SIGKILL to the whole cgroup now (KillUnit
 * whom=all), confirmed by cgroup.events, then the unit is stopped and its
 * "failed" state (our own doing) reset. --all stops nova-agents.slice in PID
 * 1, which finishes the job even if this process or its SSH session dies, and
 * returns once every agent that ran has an empty cgroup (its memory freed).
 * Root's --all --force first kills the whole slice through cgroupfs. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "agent-name.h"
#include "cgroup-util.h"
#include "novactl.h"
#include "str-util.h"

/* SIGKILL takes effect at once; this covers a loaded TCG guest. */
#define KILL_CONFIRM_USEC (10ULL * 1000 * 1000)

/* What --all waits for once PID 1's stop job is done: every agent's cgroup
 * empty, i.e. its memory freed. PID 1 calls an agent stopped with a process
 * left when SIGKILL cannot end it (D state: novactl-stop.vmt freezes its
 * filesystem) after four TimeoutStopSec=. */
#define STOP_ALL_EMPTY_USEC JOB_WAIT_USEC

/* PID 1 stops the slice's units one after another. The first 4,101-agent
 * bench's stop --all --force of 2,458 took 174 s under TCG: most likely the
 * KillUnit calls and then the whole fixed 120 s job wait, so novactl gave up
 * (its exit status was not recorded) on a stop that went on, which would
 * also explain the 167 populated cgroups. 100 ms more per running agent:
 * 620 s for 5,000. */
#define STOP_ALL_PER_AGENT_USEC (100ULL * 1000)

static uint64_t stop_all_timeout_usec(const AgentUnit *units, size_t n) {
        uint64_t t = JOB_WAIT_USEC;
        for (size_t i = 0; i < n; i++)
                t += agent_unit_running(&units[i]) ? STOP_ALL_PER_AGENT_USEC : 0;
        return t;
}

/* Root's --all --force kills the slice's processes through its cgroup.kill,
 * before any call to PID 1: the kernel frees the agents' memory however far
 * behind PID 1 is. In the fourth Debian 13 bench PID 1, working off a
 * relief's 3,350 deaths, answered the stop's first call after 286 s (the call
 * timeout is 300 s). true when done; an operator (EACCES), a remote host or a
 * kernel without cgroup.kill kill each agent through KillUnit instead. */
static bool kill_slice_now(void) {
        _cleanup_(freep) char *dir = agent_slice_dir();
        int r;

        if (arg_host || !dir)
                return false;
        r = cgroup_kill(dir);
        if (r < 0)
                log_debug("%s/cgroup.kill: %s; killing each agent through PID 1", dir, strerror(-r));
        return r >= 0;
}

static int stop_all(sd_bus *bus, bool force, bool killed) {
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        AgentUnit *units = NULL;
        size_t n = 0;
        int r;

        r = bus_list_agents(bus, NULL, NULL, &units, &n);
        /* Again, for agents started while PID 1 was slow to list them. */
        if (r == 0 && killed)
                (void) kill_slice_now();
        /* KillUnit on a slice needs systemd ≥ 253 (slice_kill), so each agent is killed. */
        for (size_t i = 0; i < n && r == 0 && force && !killed; i++)
                if (agent_unit_running(&units[i]))
                        r = bus_kill_unit(bus, units[i].unit, "all", SIGKILL);
        if (r == 0)
                r = job_wait_new(bus, &w);
        if (r == 0)
                r = job_wait_enqueue(w, "StopUnit", AGENT_SLICE);
        if (r == 0)
                r = job_wait_all(w, stop_all_timeout_usec(units, n));
        if (r == 0)
                r = agents_wait_empty(units, n, STOP_ALL_EMPTY_USEC);
        for (size_t i = 0; i < n && r == 0 && force; i++)
                r = bus_reset_failed(bus, units[i].unit);
        agent_units_free(units, n);
        return r;
}

static int stop_one_forced(sd_bus *bus, const AgentUnit *u) {
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        int r;

        r = agent_kill_and_confirm(bus, u->unit, KILL_CONFIRM_USEC);
        if (r == 0)
                r = job_wait_new(bus, &w);
        if (r == 0)
                r = job_wait_enqueue(w, "StopUnit", u->unit);
        if (r == 0)
                r = job_wait_all(w, JOB_WAIT_USEC);
        if (r == 0)
                r = bus_reset_failed(bus, u->unit);
        return r;
}

/* The agents named; -ENXIO for those not running, after stopping the rest. */
static int stop_named(sd_bus *bus, char **names, bool force) {
        _cleanup_(strv_freep) char **patterns = NULL;
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        AgentUnit *units = NULL;
        size_t n = 0;
        int r, ret = 0;

        for (char **s = names; *s; s++) {
                char *p = agent_unit_from_name(*s);
                if (!p || strv_push(&patterns, p) < 0) {
                        free(p);
                        return log_oom();
                }
        }
        r = bus_list_agents(bus, NULL, patterns, &units, &n);
        if (r == 0)
                r = job_wait_new(bus, &w);
        for (char **s = names; *s && r == 0; s++) {
                const AgentUnit *u = NULL;
                for (size_t i = 0; i < n && !u; i++)
                        if (strcmp(units[i].name, *s) == 0)
                                u = &units[i];
                if (!u || !agent_unit_running(u)) {
                        log_error("agent %s is not running", *s);
                        ret = ret ?: -ENXIO;
                        if (u)
                                r = bus_reset_failed(bus, u->unit);
                } else if (force)
                        ret = stop_one_forced(bus, u) ?: ret;
                else
                        r = job_wait_enqueue(w, "StopUnit", u->unit);
        }
        if (r == 0 && !force)
                r = job_wait_all(w, JOB_WAIT_USEC);
        agent_units_free(units, n);
        return r ?: ret;
}

static int stop(int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        bool all = false, force = false, killed;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "af", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                default:
                        return -EINVAL; /* getopt said why */
                }
        if (all == (optind < argc)) {
                log_error("stop wants agent names or --all (not both)");
                return -EINVAL;
        }
        r = check_agent_names(argv + optind);
        if (r < 0)
                return r;

        killed = all && force && kill_slice_now();
        r = bus_connect(&bus);
        if (r < 0)
                return r;
        return all ? stop_all(bus, force, killed) : stop_named(bus, argv + optind, force);
}

int verb_stop(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(stop(argc, argv));
}
