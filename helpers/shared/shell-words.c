#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "shell-words.h"
#include "str-util.h"

/* Copies the inside of "…" starting after the opening quote at *p into word
 * at *n; leaves *p after the closing quote. */
static int copy_double_quoted(const char **p, char *word, size_t *n) {
        const char *s = *p;

        for (;;) {
                if (*s == '\0')
                        return -EINVAL;
                if (*s == '"')
                        break;
                /* What sh unescapes inside "…", bar the newline no line holds:
                 * we expand nothing, but "\$HOME" must not keep its backslash. */
                if (*s == '\\' && s[1] != '\0' && strchr("\"\\$`", s[1]))
                        s++;
                word[(*n)++] = *s++;
        }

        *p = s + 1;
        return 0;
}

static int push_word(char ***words, char *word, size_t n) {
        word[n] = '\0';

        char *w = strdup(word);
        if (!w)
                return -ENOMEM;
        if (strv_push(words, w) < 0) {
                free(w);
                return -ENOMEM;
        }
        return 0;
}

static int fail(const char **ret_reason, const char *reason) {
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

int shell_words_split(const char *s, char ***ret, const char **ret_reason) {
        _cleanup_(strv_freep) char **words = NULL;
        /* No word can be longer than the input. */
        _cleanup_(freep) char *word = malloc(strlen(s) + 1);
        bool in_word = false;
        size_t n = 0;
        int r;

        if (!word)
                return -ENOMEM;

        for (const char *p = s;;) {
                if (*p == '\0' || strchr(WHITESPACE, *p)) {
                        if (in_word) {
                                r = push_word(&words, word, n);
                                if (r < 0)
                                        return r;
                                in_word = false;
                                n = 0;
                        }
                        if (*p == '\0')
                                break;
                        p++;
                        continue;
                }

                in_word = true;
                if (*p == '\'') {
                        const char *end = strchr(p + 1, '\'');
                        if (!end)
                                return fail(ret_reason, "unterminated single quote");
                        memcpy(word + n, p + 1, (size_t) (end - p - 1));
                        n += (size_t) (end - p - 1);
                        p = end + 1;
                } else if (*p == '"') {
                        p++;
                        if (copy_double_quoted(&p, word, &n) < 0)
                                return fail(ret_reason, "unterminated double quote");
                } else if (*p == '\\') {
                        if (p[1] == '\0')
                                return fail(ret_reason, "backslash at the end");
                        word[n++] = p[1];
                        p += 2;
                } else
                        word[n++] = *p++;
        }

        *ret = TAKE_PTR(words);
        return 0;
}

char *shell_word_quote(const char *s) {
        static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789_-./:=+,@%";
        size_t extra = 0;

        if (*s != '\0' && strspn(s, safe) == strlen(s))
                return strdup(s);

        /* Inside '…' nothing is special but the quote itself, written '\''. */
        for (const char *p = s; *p; p++)
                if (*p == '\'')
                        extra += 3;

        char *q = malloc(strlen(s) + extra + 3), *t = q;
        if (!q)
                return NULL;

        *t++ = '\'';
        for (const char *p = s; *p; p++) {
                if (*p == '\'') {
                        memcpy(t, "'\\''", 4);
                        t += 4;
                } else
                        *t++ = *p;
        }
        *t++ = '\'';
        *t = '\0';
        return q;
}
