#pragma once

/* The fstab rewriter of nova-setup-host: makes every swap entry inert
 * without touching anything else, so that restoring the backup is the exact
 * inverse and a diff shows only what changed.
 *
 * A line is an entry when its first non-blank character is not '#'. Fields
 * are separated by runs of blanks (space, tab), as in fstab(5) and libmount;
 * "\040"-style escapes stay inside a field. An entry is a swap entry when its
 * third field is "swap"; it is active at boot unless its options (fourth
 * field, comma-separated) hold "noauto". */

#include <stdbool.h>
#include <stddef.h>

/* Appends ",noauto" to the options of every swap entry active at boot (or
 * adds " noauto" as the fourth field when there is none). Every other byte,
 * line ends, comments and a missing final newline included, is copied as it
 * is. *ret is a newly allocated, NUL-terminated copy; *ret_changed counts the
 * entries changed (0: *ret equals text). */
int fstab_swap_noauto(const char *text, size_t size, char **ret, size_t *ret_size, unsigned *ret_changed);

/* The inverse of fstab_swap_noauto() on a file edited since: original is the
 * file before setup (the record), current the file now. Each line of current
 * that is exactly a line setup wrote goes back to what it was (once per line
 * setup changed); every other line, an admin's new or edited ones included,
 * is copied as it is. With no edit since, *ret equals original byte for byte.
 * *ret_restored counts lines put back, *ret_kept setup's lines no longer
 * found as setup wrote them (the admin changed or removed them). */
int fstab_swap_revert(const char *current, size_t current_size, const char *original, size_t original_size,
                      char **ret, size_t *ret_size, unsigned *ret_restored, unsigned *ret_kept);

/* True when the comma-separated option string opts (length n) holds the
 * option name, alone or as name=value. */
bool fstab_options_have(const char *opts, size_t n, const char *name);
