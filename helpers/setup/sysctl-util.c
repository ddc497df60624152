#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "file-util.h"
#include "macro.h"
#include "str-util.h"
#include "sysctl-util.h"

void sysctl_entries_free(SysctlEntry *e, size_t n) {
        for (size_t i = 0; e && i < n; i++) {
                free(e[i].key);
                free(e[i].value);
        }
        free(e);
}

/* In place: runs of whitespace become one space, none at either end. */
static char *collapse_blanks(char *s) {
        s = str_strip(s);
        char *t = s;

        for (char *p = s; *p; p++)
                if (!(isspace((unsigned char) *p) && isspace((unsigned char) p[1])))
                        *t++ = isspace((unsigned char) *p) ? ' ' : *p;
        *t = '\0';
        return s;
}

static int entries_push(SysctlEntry **e, size_t *n, const char *key, const char *value) {
        SysctlEntry *m = realloc(*e, (*n + 1) * sizeof(SysctlEntry));
        if (!m)
                return -ENOMEM;
        *e = m;
        m[*n] = (SysctlEntry) { .key = strdup(key), .value = strdup(value) };
        (*n)++;
        return m[*n - 1].key && m[*n - 1].value ? 0 : -ENOMEM;
}

int sysctl_conf_read(const char *path, SysctlEntry **ret, size_t *ret_n) {
        _cleanup_(freep) char *text = NULL;
        SysctlEntry *e = NULL;
        size_t n = 0;
        int r;

        r = read_file_full(path, 1024 * 1024, &text, NULL);
        if (r < 0)
                return r;

        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *l = str_strip(line);
                if (!*l || *l == '#' || *l == ';')
                        continue;
                char *eq = strchr(l, '=');
                if (!eq) {
                        sysctl_entries_free(e, n);
                        return -EBADMSG;
                }
                *eq = '\0';
                char *key = str_strip(l);
                /* "-key = value": systemd-sysctl ignores a failure to set it. */
                if (*key == '-')
                        key = str_strip(key + 1);
                r = entries_push(&e, &n, key, collapse_blanks(eq + 1));
                if (r < 0) {
                        sysctl_entries_free(e, n);
                        return r;
                }
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

int sysctl_value_read(const char *procsys, const char *key, char **ret) {
        _cleanup_(freep) char *rel = strdup(key), *path = NULL, *text = NULL;
        int r;

        if (!rel)
                return -ENOMEM;
        /* sysctl.d(5): if the first separator is '/', dots are part of names. */
        if (rel[strcspn(rel, "./")] == '.')
                for (char *p = rel; *p; p++)
                        if (*p == '.')
                                *p = '/';
        if (strstr(rel, ".."))
                return -EINVAL;
        path = str_printf("%s/%s", procsys, rel);
        if (!path)
                return -ENOMEM;
        r = read_file_full(path, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        char *v = strdup(collapse_blanks(text));
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

/* Splits s into at most max integers; false if any word is not one. */
static bool parse_ints(const char *s, intmax_t *v, size_t max, size_t *ret_n) {
        size_t n = 0;

        while (*s) {
                char *end;
                if (n == max)
                        return false;
                errno = 0;
                v[n++] = strtoimax(s, &end, 10);
                if (errno != 0 || end == s || (*end && *end != ' '))
                        return false;
                s = *end ? end + 1 : end;
        }
        *ret_n = n;
        return n > 0;
}

bool sysctl_value_satisfies(const char *effective, const char *want, SysctlBound bound) {
        intmax_t e[8], w[8];
        size_t ne, nw;

        if (!parse_ints(effective, e, ELEMENTSOF(e), &ne) || !parse_ints(want, w, ELEMENTSOF(w), &nw))
                return strcmp(effective, want) == 0;
        if (ne != nw)
                return false;
        for (size_t i = 0; i < ne; i++)
                if (bound == SYSCTL_AT_LEAST ? e[i] < w[i] : e[i] > w[i])
                        return false;
        return true;
}
