#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* One line setup changed: as it was, and as setup wrote it. */
typedef struct Edit {
        const char *orig;
        size_t orig_len;
        char *edited;
        size_t edited_len;
        bool used;
} Edit;

static void edits_free(Edit *e, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(e[i].edited);
        free(e);
}

static int edits_collect(const char *text, size_t size, Edit **ret, size_t *ret_n) {
        Edit *e = NULL;
        size_t n = 0;

        for (const char *p = text, *end = text + size; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *line_end = nl ? nl : end, *at = NULL;
                const char *insert = swap_line_edit(p, line_end, &at);

                if (insert) {
                        size_t len = (size_t) (line_end - p) + strlen(insert);
                        Edit *m = realloc(e, sizeof(Edit) * (n + 1));
                        char *s = malloc(len);
                        if (!m || !s) {
                                free(s);
                                edits_free(m ? m : e, n);
                                return -ENOMEM;
                        }
                        e = m;
                        memcpy(s, p, (size_t) (at - p));
                        memcpy(s + (at - p), insert, strlen(insert));
                        memcpy(s + (at - p) + strlen(insert), at, (size_t) (line_end - at));
                        e[n++] = (Edit) { .orig = p, .orig_len = (size_t) (line_end - p), .edited = s, .edited_len = len };
                }
                p = line_end + (nl ? 1 : 0);
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

/* The first unused edit whose result is the line [p, p + len), or NULL. */
static Edit *edit_find(Edit *e, size_t n, const char *p, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (!e[i].used && e[i].edited_len == len && memcmp(e[i].edited, p, len) == 0)
                        return &e[i];
        return NULL;
}

int fstab_swap_revert(const char *current, size_t current_size, const char *original, size_t original_size,
                      char **ret, size_t *ret_size, unsigned *ret_restored, unsigned *ret_kept) {
        _cleanup_(freep) char *out = NULL;
        size_t out_size = 0, n = 0;
        unsigned restored = 0;
        Edit *e = NULL;
        int r;

        r = edits_collect(original, original_size, &e, &n);
        if (r < 0)
                return r;
        FILE *f = open_memstream(&out, &out_size);
        if (!f) {
                edits_free(e, n);
                return -ENOMEM;
        }
        for (const char *p = current, *end = current + current_size; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *line_end = nl ? nl : end;
                Edit *hit = edit_find(e, n, p, (size_t) (line_end - p));

                if (hit) {
                        hit->used = true;
                        restored++;
                        fwrite(hit->orig, 1, hit->orig_len, f);
                } else
                        fwrite(p, 1, (size_t) (line_end - p), f);
                if (nl)
                        fputc('\n', f);
                p = line_end + (nl ? 1 : 0);
        }
        edits_free(e, n);
        if (fclose(f) != 0 || !out)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        if (ret_size)
                *ret_size = out_size;
        if (ret_restored)
                *ret_restored = restored;
        if (ret_kept)
                *ret_kept = (unsigned) n - restored;
        return 0;
}
