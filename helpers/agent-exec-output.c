/* nova-agent-exec: the agent's output stream. journald keeps a fixed number
 * of stdout streams (4,096 up to systemd 257; novactl capacity names it) and
 * closes every one past it at once. When systemd notices while connecting,
 * it goes on with /dev/null ("Failed to connect stdout to the journal
 * socket, ignoring"); when it does not, the service gets the closed stream,
 * and all the agent writes would be lost. That case is refused here, and
 * said through syslog(3): a datagram, which journald files under this unit,
 * as no stream can carry it. */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "agent-exec.h"

bool output_refused(void) {
        struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
        struct stat st;

        /* Only under systemd, and only a socket: a pipe or file is someone else's. */
        if (!getenv("INVOCATION_ID") || fstat(STDOUT_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode))
                return false;
        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

int output_refusal(const char *name) {
        openlog("nova-agent-exec", LOG_PID, LOG_DAEMON);
        syslog(LOG_ERR,
               "agent %s not started: journald refused its output stream (it keeps a fixed number of them, "
               "one per running agent or service; see novactl capacity)", name);
        closelog();
        return -EPIPE;
}
