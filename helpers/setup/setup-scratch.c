/* Step "scratch": SETUP_SCRATCH_UNIT (shipped in units/) enabled, so the
 * size-capped tmpfs is mounted at every boot, and mounted now. */

#include <errno.h>
#include <string.h>

#include "host-util.h"
#include "setup.h"
#include "str-util.h"

static int scratch_state(Setup *s, bool *ret_enabled, char **ret_mounted, char **reason) {
        _cleanup_(freep) char *state = NULL, *type = NULL, *opts = NULL;
        int r;

        r = bus_unit_file_state(s->bus, SETUP_SCRATCH_UNIT, &state);
        if (r == -ENOENT)
                return error_set(reason, r, "%s is not installed (reinstall nova-agent-host)", SETUP_SCRATCH_UNIT);
        if (r < 0)
                return error_set(reason, r, "%s: %s", SETUP_SCRATCH_UNIT, strerror(-r));
        r = host_mount_at("/proc/self/mountinfo", SETUP_SCRATCH_PATH, &type, &opts);
        if (r < 0 && r != -ENOENT)
                return error_set(reason, r, "/proc/self/mountinfo: %s", strerror(-r));
        if (r >= 0 && strcmp(type, "tmpfs") != 0)
                return error_set(reason, -EEXIST, "%s is a %s mount, not ours", SETUP_SCRATCH_PATH, type);
        *ret_enabled = strcmp(state, "enabled") == 0;
        *ret_mounted = r >= 0 ? TAKE_PTR(opts) : NULL;
        return 0;
}

int step_scratch(Setup *s, char **ret_reason) {
        _cleanup_(freep) char *mounted = NULL, *reason = NULL, *err = NULL;
        bool enabled;
        int r;

        r = scratch_state(s, &enabled, &mounted, ret_reason);
        if (r < 0)
                return r;
        if (enabled && mounted) {
                *ret_reason = str_printf("tmpfs at %s (%s), enabled", SETUP_SCRATCH_PATH, mounted);
                return 0;
        }
        if (!enabled)
                reason_append(&reason, "enable %s", SETUP_SCRATCH_UNIT);
        if (!mounted)
                reason_append(&reason, "mount tmpfs at %s", SETUP_SCRATCH_PATH);
        if (setup_writes(s)) {
                char *units[] = { (char *) SETUP_SCRATCH_UNIT, NULL };
                if (!enabled && (r = bus_unit_files(s->bus, "EnableUnitFiles", units, &err)) < 0)
                        return error_set(ret_reason, r, "enabling %s: %s", SETUP_SCRATCH_UNIT, err ? err : strerror(-r));
                s->need_reload = s->need_reload || !enabled;
                if (!mounted && (r = bus_unit_job(s->bus, "StartUnit", SETUP_SCRATCH_UNIT, &err)) < 0)
                        return error_set(ret_reason, r, "starting %s: %s", SETUP_SCRATCH_UNIT, err ? err : strerror(-r));
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}

int step_scratch_revert(Setup *s, char **ret_reason) {
        _cleanup_(freep) char *mounted = NULL, *reason = NULL, *err = NULL;
        char *units[] = { (char *) SETUP_SCRATCH_UNIT, NULL };
        bool enabled;
        int r;

        r = scratch_state(s, &enabled, &mounted, ret_reason);
        if (r < 0)
                return r;
        if (!enabled && !mounted) {
                *ret_reason = strdup("scratch not enabled, not mounted");
                return 0;
        }
        if (enabled) {
                r = bus_unit_files(s->bus, "DisableUnitFiles", units, &err);
                if (r < 0)
                        return error_set(ret_reason, r, "disabling %s: %s", SETUP_SCRATCH_UNIT, err ? err : strerror(-r));
                reason_append(&reason, "disabled %s", SETUP_SCRATCH_UNIT);
                s->need_reload = true;
        }
        if (mounted) {
                /* Scratch is disposable by definition; a busy mount fails the job and is reported. */
                r = bus_unit_job(s->bus, "StopUnit", SETUP_SCRATCH_UNIT, &err);
                if (r < 0)
                        return error_set(ret_reason, r, "unmounting %s: %s", SETUP_SCRATCH_PATH, err ? err : strerror(-r));
                reason_append(&reason, "unmounted %s", SETUP_SCRATCH_PATH);
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}
