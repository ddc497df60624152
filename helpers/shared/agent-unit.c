#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent-unit.h"
#include "str-util.h"

char *const agent_states_running[] = { (char *) "active", (char *) "activating", (char *) "reloading", NULL };
char *const agent_states_alive[] = { (char *) "active", (char *) "activating", (char *) "deactivating",
                                     (char *) "reloading", NULL };
char *const agent_states_listed[] = { (char *) "active", (char *) "activating", (char *) "deactivating",
                                      (char *) "reloading", (char *) "failed", NULL };

bool agent_state_in(const char *active_state, char *const *states) {
        for (char *const *s = states; *s; s++)
                if (strcmp(active_state, *s) == 0)
                        return true;
        return false;
}

char *agent_unit_from_name(const char *name) {
        return str_printf(AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX, name);
}

bool agent_unit_is_agent(const char *unit) {
        size_t n = strlen(unit), p = strlen(AGENT_UNIT_PREFIX), s = strlen(AGENT_UNIT_SUFFIX);

        return n > p + s && str_has_prefix(unit, AGENT_UNIT_PREFIX) && strcmp(unit + n - s, AGENT_UNIT_SUFFIX) == 0;
}

char *agent_name_from_unit(const char *unit) {
        if (!agent_unit_is_agent(unit)) {
                errno = EINVAL;
                return NULL;
        }
        return strndup(unit + strlen(AGENT_UNIT_PREFIX), strlen(unit) - strlen(AGENT_UNIT_PREFIX) - strlen(AGENT_UNIT_SUFFIX));
}

const char *dir_from_env(const char *variable, const char *fallback) {
        const char *dir = getenv(variable);
        return dir && *dir ? dir : fallback;
}

const char *agents_confdir(void) {
        return dir_from_env("NOVA_AGENTS_CONFDIR", AGENTS_CONFDIR);
}

const char *agents_rundir(void) {
        return dir_from_env("NOVA_AGENTS_RUNDIR", AGENTS_RUNDIR);
}
