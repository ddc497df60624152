#pragma once

/* One way to log for every program of the package, with the priorities of
 * <syslog.h>. A tool writes "PROGRAM: message" to stderr (a person reads
 * it); a daemon writes "<N>message" to stderr, which journald stores at
 * priority N (SyslogLevelPrefix=yes, systemd's default for services), so
 * an error reaches the journal as an error, not at info level. */

#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_CONSOLE, /* the default */
        LOG_TARGET_JOURNAL,
} LogTarget;

void log_set_target(LogTarget target);
/* One line; format has no trailing newline. LOG_DEBUG lines are dropped
 * unless $NOVA_LOG_DEBUG is set. */
void log_full(int priority, const char *format, ...) _printf_(2, 3);

#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
