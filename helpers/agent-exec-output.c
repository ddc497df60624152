/* nova-agent-exec: the agent's output stream. journald keeps a fixed number
 * of stdout streams (4,096 up to systemd 257; novactl capacity names it) and
 * closes every one past it at once. When systemd notices while connecting,
 * it goes on with /dev/null ("Failed to connect stdout to the journal
 * socket, ignoring"); when it does not, the service gets the closed stream,
 * and all the agent writes would be lost. That case is refused here, and
 * said through syslog(3): a datagram, which journald files under this unit,
 * as no stream can carry it. Before that, --prepare keeps the host's share:
 * an agent starts only while agents leave journald the last 1/32 of its
 * streams (journal-streams.h). */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "agent-exec.h"
#include "journal-streams.h"

bool output_refused(void) {
        struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
        struct stat st;

        /* Only under systemd, and only a socket: a pipe or file is someone else's. */
        if (!getenv("INVOCATION_ID") || fstat(STDOUT_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode))
                return false;
        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* One line through syslog(3), stderr being the stream in question: -EPIPE. */
_printf_(1, 2) static int not_started(const char *format, ...) {
        va_list ap;

        openlog("nova-agent-exec", LOG_PID, LOG_DAEMON);
        va_start(ap, format);
        vsyslog(LOG_ERR, format, ap);
        va_end(ap);
        closelog();
        return -EPIPE;
}

int output_refusal(const char *name) {
        return not_started("agent %s not started: journald refused its output stream (it keeps a fixed number of "
                           "them, one per running agent or service; see novactl capacity)", name);
}

/* stdout is this service's journal stream: systemd names the stream's
 * device and inode in $JOURNAL_STREAM when it connected one. */
static bool output_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        char tail;

        if (!getenv("INVOCATION_ID") || !e || sscanf(e, "%llu:%llu%c", &dev, &ino, &tail) != 2)
                return false;
        return fstat(STDOUT_FILENO, &st) == 0 && (unsigned long long) st.st_dev == dev &&
               (unsigned long long) st.st_ino == ino;
}

int output_reserve_check(const char *name) {
        unsigned version, streams;

        /* Unknown version or no count: the refusal itself is still caught. */
        if (!output_is_journal() || systemd_version_running(NULL, &version) < 0 ||
            journal_streams_count(JOURNAL_STREAMS_DIR, &streams) < 0)
                return 0;
        unsigned max = journal_streams_max(version), agents = journal_streams_for_agents(max);
        /* This start's own stream is among them once journald read its header. */
        if (streams <= agents)
                return 0;
        return not_started("agent %s not started: journald holds %u of its %u output streams, and the last %u are "
                           "kept for the host's own services (see novactl capacity)", name, streams, max, max - agents);
}
