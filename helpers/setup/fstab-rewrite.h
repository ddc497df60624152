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

/* True when the comma-separated option string opts (length n) holds the
 * option name, alone or as name=value. */
bool fstab_options_have(const char *opts, size_t n, const char *name);
