#pragma once

/* novactl: the operator's tool for nova agents. One verb per file
 * (novactl-VERB.c), each `int verb_x(int argc, char **argv, void *userdata)`
 * returning the exit status of the table below. Everything else returns 0
 * or a negative errno, having logged its one message where it knows what
 * went wrong; a verb turns its errno into the exit status once, at its end,
 * with exit_code_from_errno() (the model: systemctl, and exit_status() of
 * nova-agent-exec). */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "agent-unit.h"
#include "bus-wait-jobs.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

/* The exit codes, as documented in novactl(1). Keep both in step. */
enum {
        NOVACTL_EXIT_OK = 0,
        NOVACTL_EXIT_FAILURE = 1,      /* internal error: out of memory, unreadable /proc, … */
        NOVACTL_EXIT_USAGE = 2,        /* bad syntax, invalid agent name, invalid value */
        NOVACTL_EXIT_NO_AGENT = 3,     /* the named agent is not running / not loaded */
        NOVACTL_EXIT_ADMISSION = 4,    /* spawn refused: admission closed or its state unreadable */
        NOVACTL_EXIT_BUS = 5,          /* D-Bus error from systemd, permission denied, config not writable */
        NOVACTL_EXIT_JOB = 6,          /* a start/stop job ended failed/timeout/dependency/canceled */
        NOVACTL_EXIT_RUNNING = 7,      /* spawn: the agent is already running */
        NOVACTL_EXIT_NOT_RELIEVED = 8, /* relieve: still above the target after every agent it may kill */
};

/* The errno each exit code is returned as, by exit_code_from_errno(). Each
 * errno belongs to one code; one a kernel call or a library could return
 * for an unrelated reason is not used for a code other than 1 (a file that
 * is missing is -ENOENT, an internal error, never "no such agent").
 *
 *   errno                                  exit code
 *   0                                      0 OK
 *   -EINVAL                                2 USAGE: syntax, a name, a value, reliefd.conf
 *   -ENXIO                                 3 NO_AGENT: not running, not found, NoSuchUnit
 *   -EBUSY                                 4 ADMISSION: closed, unreadable, start condition unmet
 *   -EREMOTEIO, -EACCES, -EPERM, -EROFS    5 BUS: a D-Bus error (bus_log_error()), permission
 *   -ECANCELED, -ETIMEDOUT                 6 JOB: a job did not end "done" (bus-wait-jobs logged its
 *                                            result by its own errno), still running at the deadline,
 *                                            a unit failed right after its start, a health gate
 *   -EEXIST                                7 RUNNING: spawn of an agent that runs
 *   -EAGAIN                                8 NOT_RELIEVED: relieve stays above its target
 *   any other (-ENOMEM, -EIO, -ENOENT, …)  1 FAILURE
 */
int exit_code_from_errno(int r);

/* How long novactl waits for one round of start/stop jobs. An agent's stop
 * takes at most TimeoutStopSec=10s; a start of hundreds queues behind PID 1. */
#define JOB_WAIT_USEC (120ULL * 1000 * 1000)

/* Global options, set by parse_global() before the verb runs (novactl-args.c). */
extern bool arg_json;
extern bool arg_legend;
extern const char *arg_host;   /* the host of this run of the verb; NULL: local */
extern char **arg_hosts;       /* every -H, in order */

typedef enum GlobalAction {
        GLOBAL_RUN,     /* run the verb in *ret_argv */
        GLOBAL_HELP,    /* -h, --help */
        GLOBAL_VERSION, /* --version */
} GlobalAction;
/* Takes the global options out of argv wherever they stand before "--" (so
 * `novactl status --json` and `novactl --json status` both work) and leaves
 * the verb and its own arguments in *ret_argv (a new array of argv's
 * strings, NULL-terminated; free() it). 0, or -EINVAL on a usage error
 * (printed), -ENOMEM. */
int parse_global(int argc, char **argv, GlobalAction *ret_action, int *ret_argc, char ***ret_argv);

/* Directories, overridable for tests ($NOVA_AGENTS_CONFDIR, $NOVA_AGENTS_RUNDIR,
 * $NOVACTL_PROC_ROOT, $NOVACTL_CGROUP_ROOT), like nova-agent-exec. */
const char *novactl_confdir(void);
const char *novactl_rundir(void);
const char *novactl_proc_root(void);
const char *novactl_cgroup_root(void);

/* Logs "out of memory" and returns -ENOMEM: for -ENOMEM only. */
int log_oom(void);

/* The verbs. */
int verb_spawn(int argc, char **argv, void *userdata);
int verb_stop(int argc, char **argv, void *userdata);
int verb_count(int argc, char **argv, void *userdata);
int verb_status(int argc, char **argv, void *userdata);
int verb_memory(int argc, char **argv, void *userdata);
int verb_capacity(int argc, char **argv, void *userdata);
int verb_relieve(int argc, char **argv, void *userdata);
int verb_ensure(int argc, char **argv, void *userdata);
int verb_run(int argc, char **argv, void *userdata);
int verb_metrics(int argc, char **argv, void *userdata);
int verb_restart(int argc, char **argv, void *userdata);
int verb_top(int argc, char **argv, void *userdata);

/* What main() passes as userdata: where this run is in a fleet of -H hosts. */
typedef struct Fleet {
        size_t index, n; /* n > 1: several -H */
        uint64_t total;  /* for `count` */
} Fleet;

/* novactl-bus.c: the org.freedesktop.systemd1 calls; each logs its failure
 * and returns the errno of the table above. -EREMOTEIO when it fails. */
int bus_connect(sd_bus **ret);
/* Prints "novactl: WHAT: org.freedesktop…Error: message" (or strerror(-r)
 * without a D-Bus error) and returns -ENXIO for NoSuchUnit, -ENOMEM for r
 * -ENOMEM, else -EREMOTEIO: r itself is not passed on (a bus call's
 * -ETIMEDOUT is a bus error, not a job's timeout). */
int bus_log_error(const char *what, const sd_bus_error *e, int r);

typedef struct AgentUnit {
        char *unit;         /* nova-agent@NAME.service */
        char *name;         /* NAME */
        char *active_state; /* active, activating, failed, … */
        char *sub_state;
} AgentUnit;
void agent_units_free(AgentUnit *units, size_t n);
/* Neither inactive nor failed: it has (or is about to have) processes. */
bool agent_unit_running(const AgentUnit *u);
/* Agents whose active/sub/load state is one of states (NULL: any loaded),
 * sorted by name. patterns NULL: every agent. -EREMOTEIO, -ENOMEM. */
int bus_list_agents(sd_bus *bus, char *const *states, char **patterns, AgentUnit **ret, size_t *ret_n);

/* The shared job wait (bus-wait-jobs.h), logging: skipped is success, each
 * job that did not succeed is logged once, with its result. */
typedef BusWaitJobs JobWait;
static inline void job_wait_freep(JobWait **w) {
        bus_wait_jobs_free(*w);
}
/* Installs the JobRemoved match; create it before the calls that make jobs.
 * -EREMOTEIO, -ENOMEM. */
int job_wait_new(sd_bus *bus, JobWait **ret);
/* Calls Manager.METHOD(unit, "replace") (StartUnit, StopUnit, …) and adds
 * the job to w. -ENXIO (NoSuchUnit), -EREMOTEIO, -ENOMEM. */
int job_wait_enqueue(JobWait *w, const char *method, const char *unit);
/* Adds a job that another call made (StartTransientUnit). -ENOMEM. */
int job_wait_add_path(JobWait *w, const char *path, const char *unit);
/* Waits for every added job until timeout; prints one line per job that did
 * not end "done" (pointing to journalctl -u). -ECANCELED when one did not
 * (whatever its result: each was logged with it), -ETIMEDOUT when one still
 * runs, -EREMOTEIO when the bus is lost. */
int job_wait_all(JobWait *w, uint64_t timeout_usec);
/* Dispatches job signals until at most at_most_running jobs run or the
 * deadline (CLOCK_MONOTONIC) passes. -EREMOTEIO: the bus is lost. */
int job_wait_some(JobWait *w, size_t at_most_running, uint64_t deadline);
static inline size_t job_wait_running(const JobWait *w) {
        return bus_wait_jobs_running(w);
}
/* Whether a job has ended with a result other than done/skipped. */
static inline bool job_wait_any_failed(const JobWait *w) {
        return bus_wait_jobs_first_error(w) < 0;
}

/* Whether this run asks PID 1 to act through the operators' broker: not
 * root, not -H, and its socket accepted us (novactl-operator.c). */
bool operator_broker_active(void);
/* METHOD (StartUnit, StopUnit, RestartUnit, KillUnit with signo,
 * ResetFailedUnit) of unit through the broker; a job's path in *ret_job
 * (NULL for the others). < 0 with the D-Bus error, or the broker's refusal,
 * in *ret_error; logs nothing. */
int operator_broker_call(const char *method, const char *unit, int signo, char **ret_job, sd_bus_error *ret_error);

/* Manager.KillUnit(unit, whom, signal). -ENXIO (NoSuchUnit), -EREMOTEIO. */
int bus_kill_unit(sd_bus *bus, const char *unit, const char *whom, int signo);
/* Manager.ResetFailedUnit(unit); a unit that is not loaded is fine. -EREMOTEIO. */
int bus_reset_failed(sd_bus *bus, const char *unit);
/* A property of type 't' of a unit (on interface iface). sd-bus's errno,
 * not logged: the caller says which property it wanted. */
int bus_unit_get_u64(sd_bus *bus, const char *unit, const char *iface, const char *property, uint64_t *ret);
int bus_unit_get_string(sd_bus *bus, const char *unit, const char *iface, const char *property, char **ret);
int bus_unit_get_bool(sd_bus *bus, const char *unit, const char *iface, const char *property, bool *ret);
/* The service manager's major version (Manager.Version "257.9-1~deb13u1":
 * 257); sd-bus's errno, or -EBADMSG for a version without a number. */
int bus_manager_version(sd_bus *bus, unsigned *ret);
/* After a start job ended "done": 0 if the agent runs, else prints why and
 * returns -EBUSY (its start condition unmet: admission closed on that
 * host) or -ECANCELED (it failed at once); -EREMOTEIO, -ENXIO. */
int agent_check_started(sd_bus *bus, const char *unit);

/* Property reads queued, then sent a window at a time and waited for
 * (prop_batch_wait()). A read that fails leaves its dest as it was: set
 * dests to "unknown" first; failures other than a unit gone meanwhile are
 * counted in one warning. iface and property must outlive the batch (string
 * literals). infinity_is_max: UINT64_MAX reads as AGENT_CGROUP_MAX ("max"). */
typedef struct PropBatch PropBatch;
int prop_batch_new(sd_bus *bus, size_t max, PropBatch **ret);
PropBatch *prop_batch_free(PropBatch *b);
static inline void prop_batch_freep(PropBatch **b) {
        prop_batch_free(*b);
}
int prop_batch_add_u64(PropBatch *b, const char *unit, const char *iface, const char *property, bool infinity_is_max,
                       uint64_t *dest);
/* -EREMOTEIO: the bus is lost. */
int prop_batch_wait(PropBatch *b);

/* Kills an agent unit's whole cgroup with SIGKILL and waits until its
 * cgroup.events says populated 0 (or the cgroup is gone). */
int agent_kill_and_confirm(sd_bus *bus, const char *unit, uint64_t timeout_usec);
/* The second half of it: waits until the unit's cgroup is empty; -ETIMEDOUT
 * when it is not by then, the errno of cgroup.events when unreadable. */
int agent_wait_empty(const char *unit, uint64_t timeout_usec);
/* The same for those of units that were running when listed, under one
 * deadline: one line naming how many still have processes then, and
 * -ETIMEDOUT. */
int agents_wait_empty(const AgentUnit *units, size_t n, uint64_t timeout_usec);
char *agent_cgroup_dir(const char *name);
/* The slice's directory: <cgroup root>/nova.slice/nova-agents.slice. */
char *agent_slice_dir(void);

/* 0 when admission is open; else prints why "not starting NAME" and returns
 * -EBUSY. An unreadable state refuses too (fail closed). */
int check_admission(const char *name);

/* --force: lets the next start of NAME past its start condition even while
 * admission is closed (<rundir>/NAME.admit); forget it if the start did not
 * happen. admit_once(): the errno of the write. */
int admit_once(const char *name);
void admit_forget(const char *name);

/* The relief thresholds of <confdir>/reliefd.conf (nova-reliefd's), or
 * the defaults. Prints "file:line: problem" and returns -EINVAL on a bad or
 * unreadable file (a usage error: the operator's file), -ENOMEM. */
struct ReliefConfig;
int relief_config_get(struct ReliefConfig *ret);

/* Each of names is a valid agent name; else prints which is not and
 * returns -EINVAL. */
int check_agent_names(char **names);
/* "1.5G", "512.0M", "-" for AGENT_CGROUP_UNKNOWN, … into buf. */
const char *format_bytes(char *buf, size_t size, uint64_t bytes);
const char *format_duration(char *buf, size_t size, uint64_t usec);
