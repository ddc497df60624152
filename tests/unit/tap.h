#pragma once

/* A tiny TAP producer for the C unit tests; automake's tap-driver.sh reads it.
 *
 *   plan(N) or done_testing() at the end to print the plan;
 *   ok(cond, "what"), is_int(got, want, "what"), is_str(got, want, "what");
 *   skip("why") for one case, skip_all("why") for the whole file;
 *   diag("…") for "# …" lines; bail_out("…") when going on is pointless.
 * main() ends with "return done_testing();", which fails the file when a
 * test failed or fewer or more ran than planned. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static struct {
        int planned; /* -1: no plan printed yet */
        int run;
        int failed;
} tap_state _unused_ = { .planned = -1 };

static inline void plan(int n) {
        printf("1..%d\n", n);
        tap_state.planned = n;
}

static inline void diag(const char *format, ...) _printf_(1, 2);
static inline void diag(const char *format, ...) {
        va_list ap;

        fputs("# ", stdout);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* A whole file that cannot run here: exit status 0, as tap-driver.sh wants. */
static inline _noreturn_ void skip_all(const char *reason) {
        printf("1..0 # SKIP %s\n", reason);
        exit(EXIT_SUCCESS);
}

static inline _noreturn_ void bail_out(const char *reason) {
        printf("Bail out! %s\n", reason);
        exit(EXIT_FAILURE);
}

static inline bool tap_result(bool pass, const char *format, va_list ap) _printf_(2, 0);
static inline bool tap_result(bool pass, const char *format, va_list ap) {
        tap_state.run++;
        if (!pass)
                tap_state.failed++;

        printf("%sok %d - ", pass ? "" : "not ", tap_state.run);
        vprintf(format, ap);
        putchar('\n');
        fflush(stdout);
        return pass;
}

static inline bool ok(bool pass, const char *format, ...) _printf_(2, 3);
static inline bool ok(bool pass, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        pass = tap_result(pass, format, ap);
        va_end(ap);
        return pass;
}

static inline bool is_int(long long got, long long want, const char *format, ...) _printf_(3, 4);
static inline bool is_int(long long got, long long want, const char *format, ...) {
        va_list ap;
        bool pass;

        va_start(ap, format);
        pass = tap_result(got == want, format, ap);
        va_end(ap);
        if (!pass)
                diag("  got %lld, want %lld", got, want);
        return pass;
}

/* NULL is a value here: is_str(NULL, NULL) passes, is_str(NULL, "x") fails. */
static inline bool is_str(const char *got, const char *want, const char *format, ...) _printf_(3, 4);
static inline bool is_str(const char *got, const char *want, const char *format, ...) {
        va_list ap;
        bool pass = got && want ? strcmp(got, want) == 0 : got == want;

        va_start(ap, format);
        pass = tap_result(pass, format, ap);
        va_end(ap);
        if (!pass) {
                diag("  got  %s%s%s", got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
                diag("  want %s%s%s", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
        }
        return pass;
}

/* One case that cannot run here; reported as skipped, not as passed. */
static inline void skip(const char *reason) {
        tap_state.run++;
        printf("ok %d # SKIP %s\n", tap_state.run, reason);
        fflush(stdout);
}

static inline int done_testing(void) {
        if (tap_state.planned < 0)
                printf("1..%d\n", tap_state.run);
        else if (tap_state.run != tap_state.planned) {
                diag("planned %d tests but ran %d", tap_state.planned, tap_state.run);
                return EXIT_FAILURE;
        }
        if (tap_state.failed > 0)
                diag("%d of %d tests failed", tap_state.failed, tap_state.run);
        return tap_state.failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
