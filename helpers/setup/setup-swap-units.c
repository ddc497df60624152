/* Units that bring swap back outside /etc/fstab, and what to do about each:
 *   - zram-tools' zramswap.service, zram-generator's systemd-zram-setup@.service
 *     and the dev-zramN.swap units it generates;
 *   - systemd-gpt-auto-generator's swap partition units;
 *   - any other loaded *.swap unit not generated from /etc/fstab (the fstab
 *     ones are made inert in fstab itself, which keeps them revertible).
 * A unit shipped in /usr or generated in /run is masked (a /dev/null
 * symlink in /etc). A unit file the admin wrote in /etc is disabled instead:
 * masking would replace the file itself, and --revert could not restore it. */

#include <errno.h>
#include <string.h>

#include "file-util.h"
#include "setup.h"
#include "str-util.h"

#define SYSTEMD_IFACE_UNIT "org.freedesktop.systemd1.Unit"

static const char *const swap_unit_patterns[] = { "*.swap", "zramswap.service", "systemd-zram-setup@*.service", NULL };
/* Not necessarily loaded (a disabled unit nobody references is not), yet able to start at the next boot. */
static const char *const swap_unit_files[] = { "zramswap.service", "systemd-zram-setup@.service", NULL };

void swap_units_done(SwapUnits *u) {
        u->mask = strv_free(u->mask);
        u->disable = strv_free(u->disable);
        u->stop = strv_free(u->stop);
}

static bool strv_contains(char *const *l, const char *s) {
        for (char *const *p = l; p && *p; p++)
                if (strcmp(*p, s) == 0)
                        return true;
        return false;
}

static int strv_add_unique(char ***l, const char *s) {
        if (strv_contains(*l, s))
                return 0;
        char *c = strdup(s);
        if (!c || strv_push(l, c) < 0) {
                free(c);
                return -ENOMEM;
        }
        return 0;
}

static bool file_state_is_enabled(const char *state) {
        return str_has_prefix(state, "enabled") || str_has_prefix(state, "linked") || strcmp(state, "alias") == 0;
}

/* Sorts one unit into u (loading it if need be). */
static int classify(Setup *s, const char *unit, SwapUnits *u) {
        _cleanup_(freep) char *load = NULL, *source = NULL, *fragment = NULL, *active = NULL, *file_state = NULL;
        int r;

        /* masked: done; not-found: nothing to start; error/bad-setting: cannot start either. */
        r = bus_unit_property(s->bus, unit, SYSTEMD_IFACE_UNIT, "LoadState", &load);
        if (r < 0)
                return r;
        if (strcmp(load, "loaded") != 0)
                return 0;

        if (str_has_prefix(unit, "systemd-zram-setup@") || strstr(unit, ".swap")) {
                /* Entries of /etc/fstab are handled there (noauto), not by masking. */
                r = bus_unit_property(s->bus, unit, SYSTEMD_IFACE_UNIT, "SourcePath", &source);
                if (r < 0)
                        return r;
                if (strcmp(source, "/etc/fstab") == 0)
                        return 0;
        }
        r = bus_unit_property(s->bus, unit, SYSTEMD_IFACE_UNIT, "FragmentPath", &fragment);
        if (r < 0)
                return r;
        /* No unit file: systemd made the unit up for an area in /proc/swaps
         * (dev-zram0.swap and one alias per /dev/disk/by-* link). Nothing
         * brings it back at boot; swapoff is enough, a mask would only pile up. */
        if (!*fragment)
                return 0;
        r = bus_unit_property(s->bus, unit, SYSTEMD_IFACE_UNIT, "ActiveState", &active);
        if (r < 0)
                return r;
        if (strcmp(active, "inactive") != 0 && (r = strv_add_unique(&u->stop, unit)) < 0)
                return r;

        if (!str_has_prefix(fragment, "/etc/"))
                return strv_add_unique(&u->mask, unit);
        r = bus_unit_file_state(s->bus, unit, &file_state);
        if (r < 0)
                return r;
        return file_state_is_enabled(file_state) ? strv_add_unique(&u->disable, unit) : 0;
}

int swap_units_find(Setup *s, SwapUnits *ret) {
        _cleanup_(strv_freep) char **names = NULL, **loads = NULL;
        SwapUnits u = {};
        int r;

        r = bus_units_loaded(s->bus, (char **) swap_unit_patterns, &names, &loads);
        for (size_t i = 0; r >= 0 && names && names[i]; i++)
                if (strcmp(loads[i], "loaded") == 0)
                        r = classify(s, names[i], &u);

        for (const char *const *f = swap_unit_files; r >= 0 && *f; f++) {
                _cleanup_(freep) char *state = NULL;
                if (strv_contains(names, *f))
                        continue;
                /* A template cannot be loaded, only its file state asked; templates come from packages (/usr). */
                if (!strstr(*f, "@.")) {
                        r = classify(s, *f, &u);
                        continue;
                }
                r = bus_unit_file_state(s->bus, *f, &state);
                if (r == -ENOENT) {
                        r = 0;
                        continue;
                }
                if (r >= 0 && !str_has_prefix(state, "masked"))
                        r = strv_add_unique(&u.mask, *f);
        }
        if (r < 0) {
                swap_units_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* The record --revert reads: "mask UNIT" and "disable UNIT" lines, one per
 * unit this tool ever masked or disabled, never units the admin had. */
int swap_units_recorded(SwapUnits *ret) {
        _cleanup_(freep) char *text = NULL;
        SwapUnits u = {};
        int r;

        r = read_file_full(SETUP_MASKED_LIST, 1024 * 1024, &text, NULL);
        if (r == -ENOENT) {
                *ret = u;
                return 0;
        }
        if (r < 0)
                return r;
        for (char *line = strtok(text, "\n"); r >= 0 && line; line = strtok(NULL, "\n")) {
                if (str_has_prefix(line, "mask "))
                        r = strv_add_unique(&u.mask, line + 5);
                else if (str_has_prefix(line, "disable "))
                        r = strv_add_unique(&u.disable, line + 8);
        }
        if (r < 0) {
                swap_units_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* Adds u's units to the record, before they are touched: a crash in
 * between leaves a record of too much, never too little. */
int swap_units_record(const SwapUnits *u) {
        _cleanup_(swap_units_done) SwapUnits old = {};
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int r;

        r = swap_units_recorded(&old);
        if (r < 0)
                return r;
        FILE *f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        for (char **p = old.mask; p && *p; p++)
                fprintf(f, "mask %s\n", *p);
        for (char **p = u->mask; p && *p; p++)
                if (!strv_contains(old.mask, *p))
                        fprintf(f, "mask %s\n", *p);
        for (char **p = old.disable; p && *p; p++)
                fprintf(f, "disable %s\n", *p);
        for (char **p = u->disable; p && *p; p++)
                if (!strv_contains(old.disable, *p))
                        fprintf(f, "disable %s\n", *p);
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(SETUP_MASKED_LIST, text, size, 0600);
}
