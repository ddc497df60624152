#pragma once

/* nova-setup-host: the shared state of one run and the step interface.
 *
 * A step looks at the host, decides what is not as it should be ("drift"),
 * and -- only in SETUP_APPLY or SETUP_REVERT -- changes it. It returns
 *   0   nothing to do                         -> "ok"
 *   1   it changed something, or would        -> "changed" / "drift" / "would"
 *   <0  it failed (negative errno)            -> "failed"
 * and leaves a one-line reason in *ret_reason (may stay NULL on "ok"). Steps
 * never print; setup_report() does, once per step. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef enum SetupMode {
        SETUP_APPLY,
        SETUP_CHECK,   /* read-only: report drift, exit 5 when there is any */
        SETUP_DRY_RUN, /* read-only: report what apply would do, exit 0 */
        SETUP_REVERT,
} SetupMode;

typedef struct Setup {
        SetupMode mode;
        unsigned slots;
        bool purge_workspaces;
        const char *workspace_device; /* --workspace-device DEV; NULL: only report */
        bool format_device;           /* --format-device: DEV may hold data */
        sd_bus *bus;
        bool need_reload; /* a step changed unit files or fstab: the manager must reload */
        bool swap_restored; /* --revert brought swap entries or units back */
        unsigned n_ok, n_changed, n_failed;
} Setup;

/* Where nova-setup-host keeps what --revert needs (0700, root). */
#define SETUP_STATE_DIR LOCALSTATEDIR "/lib/nova-agents/setup"
#define SETUP_FSTAB_BACKUP SETUP_STATE_DIR "/fstab.orig"
#define SETUP_MASKED_LIST SETUP_STATE_DIR "/masked-units"
#define SETUP_WORKSPACES LOCALSTATEDIR "/lib/nova-agents/workspaces"
#define SETUP_SCRATCH_UNIT "run-nova-scratch.mount"
#define SETUP_SCRATCH_PATH "/run/nova/scratch"

/* Creates SETUP_STATE_DIR (0700) if missing. */
int setup_state_dir(void);

static inline bool setup_writes(const Setup *s) {
        return s->mode == SETUP_APPLY || s->mode == SETUP_REVERT;
}

/* Prints "STEP  ok|changed|drift|would|failed  reason" and counts it. */
void setup_report(Setup *s, const char *step, int r, const char *reason);
/* Appends "; PART" (or PART) to *reason; out of memory drops the part. */
void reason_append(char **reason, const char *format, ...) _printf_(2, 3);
/* "a, b, c"; NULL when out of memory. */
char *strv_join_comma(char *const *l);

int step_preconditions(Setup *s, char **ret_reason);
int step_swap(Setup *s, char **ret_reason);
int step_swap_revert(Setup *s, char **ret_reason);
int step_sysctl(Setup *s, char **ret_reason);
int step_pool(Setup *s, char **ret_reason);
int step_pool_revert(Setup *s, char **ret_reason);
int step_scratch(Setup *s, char **ret_reason);
int step_scratch_revert(Setup *s, char **ret_reason);
int step_workspace_fs(Setup *s, char **ret_reason);
int step_workspace_fs_revert(Setup *s, char **ret_reason);
int step_reload(Setup *s, char **ret_reason);

/* Swap-providing units outside fstab (setup-swap-units.c). */
typedef struct SwapUnits {
        char **mask;    /* shipped in /usr or generated: masked */
        char **disable; /* unit files of the admin in /etc: disabled, not overwritten */
        char **stop;    /* active now */
} SwapUnits;
void swap_units_done(SwapUnits *u);
int swap_units_find(Setup *s, SwapUnits *ret);
int swap_units_recorded(SwapUnits *ret);
int swap_units_record(const SwapUnits *u);

/* sd-bus calls on org.freedesktop.systemd1 (setup-bus.c). They return 0 or
 * a negative errno; where ret_error is given, a failed call leaves the D-Bus
 * error's name and message there. */
int bus_unit_property(sd_bus *bus, const char *unit, const char *iface, const char *property, char **ret);
int bus_unit_file_state(sd_bus *bus, const char *unit, char **ret);
/* StartUnit or StopUnit in mode "replace", then waits (up to 90 s) for the
 * job: "done" is 0, any other result its errno (bus_job_result_to_errno(),
 * "skipped" too) with the result in *ret_error. */
int bus_unit_job(sd_bus *bus, const char *method, const char *unit, char **ret_error);
/* MaskUnitFiles, UnmaskUnitFiles, EnableUnitFiles or DisableUnitFiles (never
 * runtime-only); returns the number of symlinks changed. */
int bus_unit_files(sd_bus *bus, const char *method, char **units, char **ret_error);
int bus_manager_reload(sd_bus *bus, char **ret_error);
/* The units loaded in the manager whose names match patterns (globs): two
 * parallel vectors, the names and their load states ("loaded", "masked", …). */
int bus_units_loaded(sd_bus *bus, char **patterns, char ***ret_names, char ***ret_load_states);
int bus_manager_property_bool(sd_bus *bus, const char *property, bool *ret);
