/* Step "swap": no swap now, none after a reboot, and all of it revertible.
 *   1. units that provide swap outside fstab are stopped and masked (or
 *      disabled, see setup-swap-units.c), recorded first for --revert;
 *   2. /etc/fstab swap entries get "noauto" (fstab-rewrite.c), the original
 *      kept byte for byte in SETUP_FSTAB_BACKUP (the first one: a later run
 *      never overwrites the backup, so --revert goes back to before us);
 *   3. every area still in /proc/swaps is swapped off; zram devices are reset
 *      and the zram module unloaded if nothing else uses it, which returns
 *      the memory they held. */

#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>

#include "file-util.h"
#include "fstab-rewrite.h"
#include "setup.h"
#include "str-util.h"
#include "swap-util.h"

#define FSTAB "/etc/fstab"
#define FSTAB_MAX (16 * 1024 * 1024)

int setup_state_dir(void) {
        if (mkdir(LOCALSTATEDIR "/lib/nova-agents", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(SETUP_STATE_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static void kmod_unrefp(struct kmod_ctx **c) {
        if (*c)
                kmod_unref(*c);
}

static void kmod_module_unrefp(struct kmod_module **m) {
        if (*m)
                kmod_module_unref(*m);
}

/* After its swap is off a zram device still holds its allocated memory
 * until reset; without swap users the module itself can go. */
static void zram_release(const char *dev, char **reason) {
        _cleanup_(freep) char *reset = str_printf("/sys/block/%s/reset", dev + strlen("/dev/"));
        _cleanup_(closep) int fd = reset ? open(reset, O_WRONLY | O_CLOEXEC) : -EBADF;

        if (fd < 0 || write(fd, "1", 1) != 1)
                reason_append(reason, "%s not reset: %s", dev, strerror(errno));
}

static void zram_unload(char **reason) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;

        if (!ctx || kmod_module_new_from_name(ctx, "zram", &mod) < 0)
                return;
        if (kmod_module_get_initstate(mod) != KMOD_MODULE_LIVE)
                return;
        /* Mounted or open zram devices (a zram /tmp) hold references: then it stays. */
        if (kmod_module_get_refcnt(mod) > 0 || kmod_module_remove_module(mod, 0) < 0)
                reason_append(reason, "zram module left loaded (in use)");
        else
                reason_append(reason, "zram module unloaded");
}

/* For the report: whether zram is around at all (the module found through libkmod). */
static const char *zram_module_state(void) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;

        if (!ctx || kmod_module_new_from_name(ctx, "zram", &mod) < 0)
                return "zram module state unknown";
        switch (kmod_module_get_initstate(mod)) {
        case KMOD_MODULE_LIVE:
        case KMOD_MODULE_COMING:
                return "zram module loaded, no zram swap";
        case KMOD_MODULE_BUILTIN:
                return "zram built in, no zram swap";
        default:
                return "zram module not loaded";
        }
}

static int units_apply(Setup *s, const SwapUnits *u, char **reason) {
        _cleanup_(freep) char *err = NULL;
        int r;

        r = setup_state_dir();
        if (r >= 0)
                r = swap_units_record(u);
        if (r < 0)
                return error_set(reason, r, "cannot record units for --revert in %s: %s", SETUP_MASKED_LIST,
                                 strerror(-r));
        for (char **p = u->stop; p && *p; p++) {
                r = bus_unit_job(s->bus, "StopUnit", *p, &err);
                if (r < 0)
                        return error_set(reason, r, "stopping %s: %s", *p, err ? err : strerror(-r));
        }
        if (u->mask && (r = bus_unit_files(s->bus, "MaskUnitFiles", u->mask, &err)) < 0)
                return error_set(reason, r, "masking: %s", err ? err : strerror(-r));
        if (u->disable && (r = bus_unit_files(s->bus, "DisableUnitFiles", u->disable, &err)) < 0)
                return error_set(reason, r, "disabling: %s", err ? err : strerror(-r));
        s->need_reload = true;
        return 0;
}

/* Rewrites /etc/fstab where it really is: a symlinked fstab (to a config
 * management checkout, say) stays a link, and its target changes. */
static int fstab_write(const char *data, size_t size, mode_t mode) {
        _cleanup_(freep) char *target = realpath(FSTAB, NULL);

        if (!target)
                return -errno;
        return write_file_atomic(target, data, size, mode);
}

static int fstab_apply(Setup *s, char **reason) {
        _cleanup_(freep) char *text = NULL, *edited = NULL;
        _cleanup_(strv_freep) char **left = NULL;
        size_t size, edited_size;
        unsigned changed;
        struct stat st;
        int r;

        r = read_file_full(FSTAB, FSTAB_MAX, &text, &size);
        if (r >= 0)
                r = stat(FSTAB, &st) < 0 ? -errno : 0;
        if (r >= 0)
                r = fstab_swap_noauto(text, size, &edited, &edited_size, &changed);
        if (r < 0)
                return error_set(reason, r, "%s: %s", FSTAB, strerror(-r));

        if (changed > 0) {
                r = setup_state_dir();
                /* Only the first backup: it is the file from before nova-setup-host. */
                if (r >= 0 && access(SETUP_FSTAB_BACKUP, F_OK) < 0)
                        r = write_file_atomic(SETUP_FSTAB_BACKUP, text, size, st.st_mode & 07777);
                if (r < 0)
                        return error_set(reason, r, "%s: %s", SETUP_FSTAB_BACKUP, strerror(-r));
                r = fstab_write(edited, edited_size, st.st_mode & 07777);
                if (r < 0)
                        return error_set(reason, r, "%s: %s", FSTAB, strerror(-r));
                s->need_reload = true;
        }
        /* The rewriter and libmount must agree, or the next boot would still swap. */
        r = fstab_swaps_auto(FSTAB, &left);
        if (r >= 0 && !strv_isempty(left))
                r = -EBADMSG;
        if (r < 0)
                return error_set(reason, r, "%s still has swap entries active at boot", FSTAB);
        return 0;
}

static int swapoff_all(char **areas, char **reason) {
        bool zram = false;

        for (char **a = areas; a && *a; a++) {
                if (swapoff(*a) < 0 && errno != EINVAL) /* EINVAL: already off (a unit stopped it) */
                        return error_set(reason, -errno, "swapoff %s: %s", *a, strerror(errno));
                if (str_has_prefix(*a, "/dev/zram")) {
                        zram_release(*a, reason);
                        zram = true;
                }
        }
        if (zram)
                zram_unload(reason);
        return 0;
}

int step_swap(Setup *s, char **ret_reason) {
        _cleanup_(swap_units_done) SwapUnits u = {};
        _cleanup_(strv_freep) char **active = NULL, **fstab = NULL;
        _cleanup_(freep) char *reason = NULL;
        int r;

        r = swap_units_find(s, &u);
        if (r < 0)
                return error_set(ret_reason, r, "cannot list swap units: %s", strerror(-r));
        r = fstab_swaps_auto(FSTAB, &fstab);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", FSTAB, strerror(-r));
        r = swaps_active(NULL, &active);
        if (r < 0)
                return error_set(ret_reason, r, "/proc/swaps: %s", strerror(-r));

        if (strv_isempty(active) && strv_isempty(fstab) && !u.mask && !u.disable) {
                *ret_reason = str_printf("no active swap, none in fstab, swap units masked or absent; %s",
                                         zram_module_state());
                return 0;
        }

        /* The same text in every mode: what is (check), would be (dry run) or was done (apply). */
        _cleanup_(freep) char *a = strv_join_comma(active), *f = strv_join_comma(fstab);
        _cleanup_(freep) char *m = strv_join_comma(u.mask), *d = strv_join_comma(u.disable);
        if (!strv_isempty(active))
                reason_append(&reason, "swapoff %s", a);
        if (!strv_isempty(fstab))
                reason_append(&reason, "noauto in fstab: %s (backup %s)", f, SETUP_FSTAB_BACKUP);
        if (u.mask)
                reason_append(&reason, "mask %s", m);
        if (u.disable)
                reason_append(&reason, "disable %s", d);

        if (setup_writes(s)) {
                if (u.mask || u.disable || u.stop)
                        r = units_apply(s, &u, ret_reason);
                if (r >= 0)
                        r = fstab_apply(s, ret_reason);
                if (r >= 0) {
                        /* Re-read: stopping units has turned some areas off already. */
                        active = strv_free(active);
                        r = swaps_active(NULL, &active);
                        if (r >= 0)
                                r = swapoff_all(active, &reason);
                        else
                                error_set(ret_reason, r, "/proc/swaps: %s", strerror(-r));
                }
                if (r < 0)
                        return r;
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}

/* Undoes only setup's own edit (fstab_swap_revert()): lines an admin added
 * or changed since stay. The record goes once fstab is back. */
static int fstab_revert(const char *backup, size_t backup_size, char **reason) {
        _cleanup_(freep) char *current = NULL, *out = NULL;
        size_t current_size = 0, out_size = 0;
        unsigned restored = 0, kept = 0;
        struct stat st;
        int r;

        r = read_file_full(FSTAB, FSTAB_MAX, &current, &current_size);
        if (r >= 0)
                r = stat(FSTAB, &st) < 0 ? -errno : 0;
        if (r >= 0)
                r = fstab_swap_revert(current, current_size, backup, backup_size, &out, &out_size, &restored, &kept);
        if (r >= 0 && (out_size != current_size || memcmp(out, current, out_size) != 0))
                r = fstab_write(out, out_size, st.st_mode & 07777);
        if (r >= 0)
                r = unlink(SETUP_FSTAB_BACKUP) < 0 ? -errno : 0;
        if (r < 0)
                return r;
        reason_append(reason, "%s: noauto removed again from %u swap entr%s", FSTAB, restored,
                      restored == 1 ? "y" : "ies");
        if (kept > 0)
                reason_append(reason, "%u swap entr%s changed since setup left as they are", kept,
                              kept == 1 ? "y" : "ies");
        return 0;
}

int step_swap_revert(Setup *s, char **ret_reason) {
        _cleanup_(swap_units_done) SwapUnits u = {};
        _cleanup_(freep) char *backup = NULL, *reason = NULL, *err = NULL;
        size_t backup_size = 0;
        int r;

        r = read_file_full(SETUP_FSTAB_BACKUP, FSTAB_MAX, &backup, &backup_size);
        if (r < 0 && r != -ENOENT)
                return error_set(ret_reason, r, "%s: %s", SETUP_FSTAB_BACKUP, strerror(-r));
        r = swap_units_recorded(&u);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", SETUP_MASKED_LIST, strerror(-r));
        if (!backup && !u.mask && !u.disable) {
                *ret_reason = strdup("nothing recorded to revert");
                return 0;
        }

        if (backup) {
                r = fstab_revert(backup, backup_size, &reason);
                if (r < 0)
                        return error_set(ret_reason, r, "restoring %s: %s", FSTAB, strerror(-r));
        }
        if (u.mask && (r = bus_unit_files(s->bus, "UnmaskUnitFiles", u.mask, &err)) < 0)
                return error_set(ret_reason, r, "unmasking: %s", err ? err : strerror(-r));
        if (u.disable && (r = bus_unit_files(s->bus, "EnableUnitFiles", u.disable, &err)) < 0)
                return error_set(ret_reason, r, "enabling: %s", err ? err : strerror(-r));
        if (u.mask || u.disable) {
                _cleanup_(freep) char *m = strv_join_comma(u.mask), *d = strv_join_comma(u.disable);
                if (u.mask)
                        reason_append(&reason, "unmasked %s", m);
                if (u.disable)
                        reason_append(&reason, "enabled %s", d);
                if (unlink(SETUP_MASKED_LIST) < 0)
                        return error_set(ret_reason, -errno, "%s: %s", SETUP_MASKED_LIST, strerror(errno));
        }
        reason_append(&reason, "swap returns at the next boot (or: swapon -a)");
        s->need_reload = true;
        s->swap_restored = true;
        *ret_reason = TAKE_PTR(reason);
        return 1;
}
