#pragma once

/* sysctl.d files and /proc/sys values, compared the way nova-setup-host
 * wants: a value of ours is a bound, never a value to force. Paths are
 * parameters so that tests use fixtures. */

#include <stdbool.h>
#include <stddef.h>

typedef enum SysctlBound {
        SYSCTL_AT_LEAST, /* limits: a higher effective value is fine (pid_max, buffers, inotify) */
        SYSCTL_AT_MOST,  /* tendencies we want low (vm.swappiness) */
} SysctlBound;

typedef struct SysctlEntry {
        char *key;   /* dotted, as written (a leading '-' dropped) */
        char *value; /* trimmed */
} SysctlEntry;

void sysctl_entries_free(SysctlEntry *e, size_t n);

/* The "key = value" lines of a sysctl.d file, in order; comments ('#', ';')
 * and blank lines skipped. A line without '=' is -EBADMSG. */
int sysctl_conf_read(const char *path, SysctlEntry **ret, size_t *ret_n);

/* The value of key under procsys (normally "/proc/sys"), trimmed, with runs
 * of blanks collapsed to one space (udp_mem and friends use tabs). */
int sysctl_value_read(const char *procsys, const char *key, char **ret);

/* Whether effective satisfies want under bound. Values that are lists of
 * integers are compared element by element; anything else must be equal
 * (after collapsing whitespace). */
bool sysctl_value_satisfies(const char *effective, const char *want, SysctlBound bound);
