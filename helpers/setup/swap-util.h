#pragma once

/* Readers of the swap state through libmount, with the file to read as a
 * parameter so that tests use fixtures. Every function returns 0 or a
 * negative errno and fills its ret_* only on success. */

#include <stddef.h>

/* The sources of the active swap areas listed in a /proc/swaps-format file
 * (NULL: /proc/swaps), unescaped ("\040" becomes a space), in file order. */
int swaps_active(const char *path, char ***ret);

/* The sources of the swap entries of an fstab-format file (NULL: the
 * default, honouring $LIBMOUNT_FSTAB) that are active at boot, i.e. without
 * "noauto", as written in the file (UUID=…, LABEL=… untranslated). */
int fstab_swaps_auto(const char *path, char ***ret);
