#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static LogTarget log_target = LOG_TARGET_CONSOLE;

void log_set_target(LogTarget target) {
        log_target = target;
}

void log_full(int priority, const char *format, ...) {
        int saved = errno; /* a caller may log, then read errno */
        va_list ap;

        if (priority >= LOG_DEBUG && !getenv("NOVA_LOG_DEBUG"))
                return;
        if (log_target == LOG_TARGET_JOURNAL)
                fprintf(stderr, "<%d>", priority & LOG_PRIMASK);
        else
                fprintf(stderr, "%s: ", program_invocation_short_name);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        errno = saved;
}
