#pragma once

/* The agent vocabulary every program of the package speaks, defined once:
 * the units, the slice, the states that count as running, the directories.
 * Names themselves (what NAME may be) are agent-name.h's. */

#include <stdbool.h>

#define AGENT_SLICE "nova-agents.slice"
/* The slice's cgroup below the cgroup root: nova-agents.slice lives in nova.slice. */
#define AGENT_SLICE_CGROUP "/nova.slice/nova-agents.slice"
#define AGENT_UNIT_PATTERN "nova-agent@*.service"
#define AGENT_UNIT_PREFIX "nova-agent@"
#define AGENT_UNIT_SUFFIX ".service"

#define AGENTS_CONFDIR SYSCONFDIR "/nova-agents"
#define AGENTS_RUNDIR RUNDIR "/nova-agents"

/* ActiveState sets (NULL-terminated, for ListUnitsByPatterns):
 * running: started or starting, what count, ensure, capacity and spawn count;
 * alive: running or still stopping, a cgroup with processes (memory, relieve);
 * listed: alive or failed, what status shows. */
extern char *const agent_states_running[];
extern char *const agent_states_alive[];
extern char *const agent_states_listed[];
bool agent_state_in(const char *active_state, char *const *states);

/* nova-agent@NAME.service; NULL when out of memory. */
char *agent_unit_from_name(const char *name);
/* Whether unit is nova-agent@SOMETHING.service (a cgroup directory's name too). */
bool agent_unit_is_agent(const char *unit);
/* NAME of nova-agent@NAME.service; NULL when unit is something else (or out
 * of memory: errno says which, ENOMEM or EINVAL). */
char *agent_name_from_unit(const char *unit);

/* $NOVA_AGENTS_CONFDIR and $NOVA_AGENTS_RUNDIR (tests) or the installed places. */
const char *agents_confdir(void);
const char *agents_rundir(void);
/* $variable if set and not empty, else fallback: the tests' scratch directories. */
const char *dir_from_env(const char *variable, const char *fallback);
