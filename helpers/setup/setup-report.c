#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "setup.h"
#include "str-util.h"

void setup_report(Setup *s, const char *step, int r, const char *reason) {
        const char *word;

        if (r < 0) {
                word = "failed";
                s->n_failed++;
        } else if (r == 0) {
                word = "ok";
                s->n_ok++;
        } else {
                word = s->mode == SETUP_CHECK ? "drift" : s->mode == SETUP_DRY_RUN ? "would" : "changed";
                s->n_changed++;
        }
        if (r < 0 && !reason)
                reason = strerror(-r);
        printf("%-14s %-8s %s\n", step, word, reason ? reason : "");
        fflush(stdout);
}

void reason_append(char **reason, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        _cleanup_(freep) char *part = str_vprintf(format, ap);
        va_end(ap);
        if (!part)
                return;
        char *joined = *reason ? str_printf("%s; %s", *reason, part) : strdup(part);
        if (!joined)
                return;
        free(*reason);
        *reason = joined;
}

char *strv_join_comma(char *const *l) {
        _cleanup_(freep) char *s = strdup("");

        for (char *const *p = l; s && p && *p; p++) {
                char *t = str_printf("%s%s%s", s, p == l ? "" : ", ", *p);
                free(s);
                s = t;
        }
        return TAKE_PTR(s);
}
