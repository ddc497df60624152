#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str-util.h"

char *str_vprintf(const char *format, va_list ap) {
        va_list aq;
        int n;

        va_copy(aq, ap);
        n = vsnprintf(NULL, 0, format, aq);
        va_end(aq);
        if (n < 0)
                return NULL;

        char *s = malloc((size_t) n + 1);
        if (!s)
                return NULL;
        if (vsnprintf(s, (size_t) n + 1, format, ap) != n) {
                free(s);
                return NULL;
        }
        return s;
}

char *str_printf(const char *format, ...) {
        va_list ap;
        char *s;

        va_start(ap, format);
        s = str_vprintf(format, ap);
        va_end(ap);
        return s;
}

int error_set(char **ret_error, int r, const char *format, ...) {
        va_list ap;

        if (!ret_error)
                return r;

        va_start(ap, format);
        *ret_error = str_vprintf(format, ap);
        va_end(ap);
        return r;
}

char *str_escape(const char *s) {
        /* Worst case every byte becomes \xNN. */
        char *buf = malloc(strlen(s) * 4 + 1), *t = buf;
        if (!buf)
                return NULL;

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '\\' || *p == '"') {
                        *t++ = '\\';
                        *t++ = (char) *p;
                } else if (*p < 0x20 || *p >= 0x7f)
                        t += sprintf(t, "\\x%02x", *p);
                else
                        *t++ = (char) *p;
        }
        *t = '\0';
        return buf;
}

char *str_strip(char *s) {
        s += strspn(s, WHITESPACE);

        size_t n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                n--;
        s[n] = '\0';
        return s;
}

char *str_line_cut(char **p) {
        char *line = *p, *end = line + strcspn(line, "\r\n");

        if (*end == '\0')
                *p = NULL;
        else {
                *p = end + (end[0] == '\r' && end[1] == '\n' ? 2 : 1);
                *end = '\0';
        }
        return line;
}

bool str_has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);

        char **m = realloc(*l, sizeof(char *) * (n + 2));
        if (!m)
                return -ENOMEM;

        m[n] = value;
        m[n + 1] = NULL;
        *l = m;
        return 0;
}

int strv_copy(char *const *l, char ***ret) {
        size_t n = strv_length(l);

        _cleanup_(strv_freep) char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

int str_parse_u64(const char *s, const char **ret_end, uint64_t *ret) {
        char *end;

        if (*s < '0' || *s > '9')
                return -EBADMSG;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -EBADMSG;
        *ret = v;
        if (ret_end)
                *ret_end = end;
        return 0;
}

int parse_ulong(const char *s, unsigned long max, unsigned long *ret) {
        char *end;

        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || s[0] == '-' || s[0] == '+' || isspace((unsigned char) s[0]) || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_duration(const char *s, uint64_t *ret) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "ms", 1000ULL }, { "s", 1000000ULL }, { "min", 60000000ULL }, { "m", 60000000ULL },
                { "h", 3600000000ULL }, { "", 1000000ULL },
        };
        char *end;

        if (!isdigit((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -ERANGE;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strcmp(end, units[i].suffix) == 0) {
                        if (v > UINT64_MAX / units[i].usec)
                                return -ERANGE;
                        *ret = v * units[i].usec;
                        return 0;
                }
        return -EINVAL;
}
