/* novactl without root on the local host: what makes PID 1 act (start, stop,
 * restart, kill, reset-failed) goes through the operators' broker
 * (nova-agent-operator.socket, operator-request.h), which asks in job mode
 * "replace" for agent units only. Everything novactl reads still comes from
 * the bus. One connection per run, opened at the first request; where it
 * cannot be opened (not an operator: EACCES; no socket) novactl asks PID 1
 * itself and gets systemd's and polkit's usual answer. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "novactl.h"
#include "operator-request.h"

static FILE *broker;      /* the connection, read side; its fd is written too */
static int broker_tried;  /* 0: not yet; 1: connected; -1: not available */

static int broker_connect(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = OPERATOR_SOCKET };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        broker = fdopen(fd, "r");
        if (!broker) {
                close(fd);
                return -ENOMEM;
        }
        return 0;
}

bool operator_broker_active(void) {
        if (broker_tried == 0) {
                int r = arg_host || geteuid() == 0 ? -EPERM : broker_connect();
                /* A member added by usermod -aG has the group only in a new login. */
                if (r == -EACCES)
                        log_notice("the operators' broker %s refused this process (not in group " OPERATOR_GROUP
                                   " in this login?); asking systemd directly",
                                   OPERATOR_SOCKET);
                else if (r < 0 && r != -EPERM)
                        log_debug("no operators' broker (%s): %s; asking systemd directly", OPERATOR_SOCKET,
                                  strerror(-r));
                broker_tried = r < 0 ? -1 : 1;
        }
        return broker_tried > 0;
}

/* Reads "job PATH", "ok" or "error NAME MESSAGE". */
static int broker_read_reply(char **ret_job, sd_bus_error *ret_error) {
        char line[512];
        size_t len;

        if (!fgets(line, sizeof(line), broker)) {
                sd_bus_error_set(ret_error, "org.freedesktop.DBus.Error.NoReply",
                                 "the operators' broker closed the connection (journalctl -u 'nova-agent-operator@*')");
                return -ECONNRESET;
        }
        len = strlen(line);
        if (len > 0 && line[len - 1] == '\n')
                line[--len] = '\0';
        if (strncmp(line, "job /", 5) == 0 && ret_job) {
                *ret_job = strdup(line + 4);
                return *ret_job ? 0 : -ENOMEM;
        }
        if (strcmp(line, "ok") == 0 && !ret_job)
                return 0;
        if (strncmp(line, "error ", 6) == 0) {
                char *name = line + 6, *message = strchr(name, ' ');
                if (message)
                        *message++ = '\0';
                sd_bus_error_set(ret_error, name, message ? message : "");
                return -EREMOTEIO;
        }
        sd_bus_error_set(ret_error, "org.freedesktop.DBus.Error.InvalidSignature",
                         "the operators' broker sent an answer novactl does not know");
        return -EBADMSG;
}

int operator_broker_call(const char *method, const char *unit, int signo, char **ret_job, sd_bus_error *ret_error) {
        OperatorRequest req = { .method = operator_method_from_string(method), .signo = signo };
        char line[OPERATOR_LINE_MAX + 2];
        int r;

        if (strlen(unit) >= sizeof(req.unit))
                return sd_bus_error_set(ret_error, "org.freedesktop.DBus.Error.InvalidArgs", "unit name too long");
        strcpy(req.unit, unit);
        r = operator_request_format(&req, line, sizeof(line));
        if (r == -EPERM)
                return sd_bus_error_set(ret_error, "org.freedesktop.DBus.Error.AccessDenied",
                                        "operators may manage nova-agent@NAME.service units only (this needs root)");
        if (r < 0)
                return sd_bus_error_set_errno(ret_error, r);
        for (size_t done = 0, n = strlen(line); done < n;) {
                ssize_t k = send(fileno(broker), line + done, n - done, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_set_errnof(ret_error, errno, "cannot reach the operators' broker: %m");
                done += (size_t) k;
        }
        return broker_read_reply(ret_job, ret_error);
}
