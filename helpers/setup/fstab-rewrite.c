#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fstab-rewrite.h"
#include "macro.h"

/* Not strchr(" \t", c): that also matches the NUL byte. */
static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

bool fstab_options_have(const char *opts, size_t n, const char *name) {
        size_t len = strlen(name);

        for (const char *p = opts, *end = opts + n; p < end;) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                size_t k = comma ? (size_t) (comma - p) : (size_t) (end - p);

                if (k >= len && strncmp(p, name, len) == 0 && (k == len || p[len] == '='))
                        return true;
                p += k + 1;
        }
        return false;
}

/* Where field i (0-based) of the line [p, end) starts and how long it is;
 * false when the line has fewer fields. */
static bool line_field(const char *p, const char *end, unsigned i, const char **ret, size_t *ret_len) {
        for (unsigned f = 0;; f++) {
                while (p < end && is_blank(*p))
                        p++;
                if (p >= end)
                        return false;
                const char *start = p;
                while (p < end && !is_blank(*p))
                        p++;
                if (f == i) {
                        *ret = start;
                        *ret_len = (size_t) (p - start);
                        return true;
                }
        }
}

/* Where to insert into the line [p, end) and what, or NULL if the line stays. */
static const char *swap_line_edit(const char *p, const char *end, const char **ret_at) {
        const char *type, *opts, *first;
        size_t type_len, opts_len, first_len;

        if (!line_field(p, end, 0, &first, &first_len) || first[0] == '#')
                return NULL;
        if (!line_field(p, end, 2, &type, &type_len) || type_len != 4 || strncmp(type, "swap", 4) != 0)
                return NULL;
        if (!line_field(p, end, 3, &opts, &opts_len)) {
                *ret_at = type + type_len;
                return " noauto";
        }
        if (fstab_options_have(opts, opts_len, "noauto"))
                return NULL;
        *ret_at = opts + opts_len;
        return ",noauto";
}

int fstab_swap_noauto(const char *text, size_t size, char **ret, size_t *ret_size, unsigned *ret_changed) {
        _cleanup_(freep) char *out = NULL;
        size_t out_size = 0;
        unsigned changed = 0;
        FILE *f = open_memstream(&out, &out_size);

        if (!f)
                return -ENOMEM;

        for (const char *p = text, *end = text + size; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *line_end = nl ? nl : end, *at = NULL;
                const char *insert = swap_line_edit(p, line_end, &at);

                if (insert) {
                        fwrite(p, 1, (size_t) (at - p), f);
                        fputs(insert, f);
                        fwrite(at, 1, (size_t) (line_end - at), f);
                        changed++;
                } else
                        fwrite(p, 1, (size_t) (line_end - p), f);
                if (nl)
                        fputc('\n', f);
                p = line_end + (nl ? 1 : 0);
        }

        if (fclose(f) != 0 || !out)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        if (ret_size)
                *ret_size = out_size;
        if (ret_changed)
                *ret_changed = changed;
        return 0;
}
