#pragma once

/* String and string-vector helpers shared by the helpers and their tests. */

#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>

#include "macro.h"

/* The whitespace configuration files may use around keys, values and words. */
#define WHITESPACE " \t\n\r\v\f"

/* A newly allocated formatted string, or NULL when out of memory. */
char *str_printf(const char *format, ...) _printf_(1, 2);
char *str_vprintf(const char *format, va_list ap) _printf_(1, 0);

/* For the "return error_set(ret_error, -EINVAL, "…", …);" idiom: stores a newly
 * allocated one-line message in *ret_error (unless ret_error is NULL; the
 * message is left NULL when out of memory) and returns r unchanged. */
int error_set(char **ret_error, int r, const char *format, ...) _printf_(3, 4);

/* A copy of s safe to print inside "…" on one line of a log: backslash, '"',
 * control characters and non-ASCII bytes become \\, \", \xNN. NULL on ENOMEM. */
char *str_escape(const char *s);

/* Trims WHITESPACE at both ends of s in place; returns the new start. */
char *str_strip(char *s);

/* Configuration text is read line by line; a line ends at "\n", "\r\n" or a
 * lone "\r" (files saved by other systems' editors). Cuts the line that starts
 * at *p in place, moves *p to the next one (NULL after the last) and returns it. */
char *str_line_cut(char **p);

bool str_has_prefix(const char *s, const char *prefix);
/* A decimal number at s (no sign, no space); *ret_end after it. -EBADMSG. */
int str_parse_u64(const char *s, const char **ret_end, uint64_t *ret);

/* Appends value to *l; on success *l owns value, on failure the caller still does. */
int strv_push(char ***l, char *value);
int strv_copy(char *const *l, char ***ret);
bool strv_equal(char *const *a, char *const *b);

/* A decimal number 0…max, nothing around it (no sign, no space). -EINVAL. */
int parse_ulong(const char *s, unsigned long max, unsigned long *ret);
/* "500ms", "2s", "5min" (or "5m"), "1h", or bare seconds, into µs.
 * -EINVAL for anything else, -ERANGE when it overflows. */
int parse_duration(const char *s, uint64_t *ret);
