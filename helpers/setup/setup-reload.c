/* Step "reload": the manager reads what the other steps changed (masks,
 * fstab, enablement) and the package's drop-ins (system.conf.d, units).
 * Without a reason it does nothing: a second run changes nothing. */

#include <errno.h>
#include <string.h>

#include "agent-unit.h"
#include "setup.h"
#include "str-util.h"

/* Our units whose files changed on disk since the manager last read them. */
static const char *const watched_units[] = { AGENT_SLICE, SETUP_SCRATCH_UNIT, NULL };

static int manager_drift(Setup *s, char **reason) {
        bool memory = false, tasks = false;
        int r;

        r = bus_manager_property_bool(s->bus, "DefaultMemoryAccounting", &memory);
        if (r >= 0)
                r = bus_manager_property_bool(s->bus, "DefaultTasksAccounting", &tasks);
        if (r < 0)
                return r;
        if (!memory || !tasks)
                reason_append(reason, "system.conf.d drop-in not in effect (DefaultMemoryAccounting=%s, "
                              "DefaultTasksAccounting=%s)", memory ? "yes" : "no", tasks ? "yes" : "no");
        for (const char *const *u = watched_units; *u; u++) {
                _cleanup_(freep) char *need = NULL;
                r = bus_unit_property(s->bus, *u, "org.freedesktop.systemd1.Unit", "NeedDaemonReload", &need);
                if (r < 0)
                        return r;
                if (strcmp(need, "yes") == 0)
                        reason_append(reason, "%s changed on disk", *u);
        }
        return 0;
}

int step_reload(Setup *s, char **ret_reason) {
        _cleanup_(freep) char *reason = NULL, *err = NULL;
        int r;

        r = manager_drift(s, &reason);
        if (r < 0)
                return error_set(ret_reason, r, "cannot read the manager's state: %s", strerror(-r));
        if (s->need_reload)
                reason_append(&reason, "unit files or fstab changed above");
        else if (s->mode == SETUP_DRY_RUN && s->n_changed > 0)
                reason_append(&reason, "after the changes above");
        if (!reason) {
                *ret_reason = strdup("manager up to date");
                return 0;
        }
        if (setup_writes(s)) {
                r = bus_manager_reload(s->bus, &err);
                if (r < 0)
                        return error_set(ret_reason, r, "daemon-reload: %s", err ? err : strerror(-r));
                reason_append(&reason, "reloaded");
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}
