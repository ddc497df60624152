#include <errno.h>
#include <string.h>

#include "agent-config.h"
#include "agent-name.h"
#include "str-util.h"

static int fill_default_workspace(AgentConfig *c, const char *name, char **ret_error) {
        const char *reason = NULL;
        int r;

        r = agent_config_workspace_expand(AGENT_CONFIG_DEFAULT_WORKSPACE, name, &c->workspace, &reason);
        if (r == -EINVAL) /* Cannot happen for a valid name; said plainly if it ever does. */
                return error_set(ret_error, r, "default workspace for %s: %s", name, reason);
        return r;
}

int agent_config_load(
                const char *confdir,
                const char *rundir,
                const char *name,
                AgentConfig **ret,
                char **ret_error) {

        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        _cleanup_(freep) char *defaults = NULL, *agent = NULL, *runtime = NULL;
        int r;

        /* Checked here too, not only by the callers: the name becomes part of paths. */
        if (!agent_name_is_valid(name))
                return error_set(ret_error, -EINVAL, "invalid agent name");

        defaults = str_printf("%s/default.conf", confdir);
        agent = str_printf("%s/agents/%s.conf", confdir, name);
        runtime = str_printf("%s/%s.conf", rundir, name);
        if (!defaults || !agent || !runtime)
                return -ENOMEM;

        r = agent_config_new(&c);
        if (r < 0)
                return r;

        const char *paths[] = { defaults, agent, runtime };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_(freep) char *error = NULL;

                r = agent_config_parse_file(c, paths[i], name, &error);
                if (r == -ENOENT)
                        continue; /* Every layer is optional; only the result counts. */
                if (r < 0) {
                        if (ret_error)
                                *ret_error = TAKE_PTR(error);
                        return r;
                }
        }

        if (strv_isempty(c->command))
                return error_set(ret_error, -EINVAL, "no Command= for agent %s in %s, %s or %s",
                                 name, defaults, agent, runtime);

        if (!c->workspace) {
                r = fill_default_workspace(c, name, ret_error);
                if (r < 0)
                        return r;
        }
        if (!c->soft_deadline_set) {
                c->soft_deadline_usec = AGENT_CONFIG_SOFT_DEADLINE_DEFAULT_USEC;
                c->soft_deadline_set = true;
        }

        *ret = TAKE_PTR(c);
        return 0;
}
