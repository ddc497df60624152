/* nova-agent-operator: the operators' broker (issue 14), one instance per
 * connection to nova-agent-operator.socket (Accept=yes), the connection on
 * stdin and stdout. It reads request lines (operator-request.h), asks PID 1
 * for each as root, always in job mode "replace", and answers one line per
 * request; stderr is the journal, one line per request with who asked.
 *
 * The socket is root:nova-operators 0660, so the kernel refuses everyone
 * else's connect(); the peer's credentials are checked here again against
 * the group database (as polkit's isInGroup() would), so a socket mode an
 * admin widened does not open the door. */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bus-wait-jobs.h"
#include "log.h"
#include "macro.h"
#include "operator-request.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define INVALID_ARGS "org.freedesktop.DBus.Error.InvalidArgs"

/* Whether uid is root or a member of OPERATOR_GROUP (primary or supplementary). */
static bool uid_is_operator(uid_t uid) {
        struct passwd *pw;
        struct group *gr;
        gid_t groups[256];
        int n = (int) ELEMENTSOF(groups);

        if (uid == 0)
                return true;
        gr = getgrnam(OPERATOR_GROUP);
        pw = gr ? getpwuid(uid) : NULL;
        if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
                return false;
        for (int i = 0; i < n; i++)
                if (groups[i] == gr->gr_gid)
                        return true;
        return false;
}

static int reply(FILE *out, const char *format, ...) _printf_(2, 3);
static int reply(FILE *out, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vfprintf(out, format, ap);
        va_end(ap);
        fputc('\n', out);
        return fflush(out) == 0 ? 0 : -errno;
}

static int reply_error(FILE *out, const char *name, const char *message) {
        return reply(out, "error %s %s", name, message);
}

/* One request: PID 1's answer becomes the reply line. */
static int handle(sd_bus *bus, const OperatorRequest *req, uid_t uid, FILE *out) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *method = operator_method_to_string(req->method), *job = NULL;
        int r;

        if (operator_method_makes_job(req->method))
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, method, &e, &m, "ss", req->unit,
                                       "replace");
        else if (req->method == OPERATOR_KILL_UNIT)
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, method, &e, &m, "ssi", req->unit,
                                       "all", (int32_t) req->signo);
        else
                r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, method, &e, &m, "s", req->unit);
        if (r >= 0 && operator_method_makes_job(req->method))
                r = sd_bus_message_read(m, "o", &job);
        /* The job signals PID 1 sends its requester are novactl's business: drop them. */
        while (sd_bus_process(bus, NULL) > 0)
                ;
        if (r < 0) {
                const char *name = sd_bus_error_is_set(&e) ? e.name : "org.freedesktop.DBus.Error.Failed";
                const char *message = sd_bus_error_is_set(&e) && e.message ? e.message : strerror(-r);
                log_warning("uid %u: %s %s: %s: %s", (unsigned) uid, method, req->unit, name, message);
                return reply_error(out, name, message);
        }
        log_info("uid %u: %s %s%s%s", (unsigned) uid, method, req->unit, job ? ": " : "", job ? job : "");
        return job ? reply(out, "job %s", job) : reply(out, "ok");
}

static int serve(sd_bus *bus, uid_t uid, FILE *in, FILE *out) {
        char line[OPERATOR_LINE_MAX + 2];
        OperatorRequest req;
        int r = 0;

        while (r == 0 && fgets(line, sizeof(line), in)) {
                size_t len = strlen(line);
                if (len == 0 || line[len - 1] != '\n') {
                        log_warning("uid %u: request line too long or cut off, closing", (unsigned) uid);
                        return reply_error(out, INVALID_ARGS, "request line too long or cut off");
                }
                line[len - 1] = '\0';
                r = operator_request_parse(line, &req);
                if (r == -EPERM) {
                        log_warning("uid %u: refused: %s", (unsigned) uid, line);
                        r = reply_error(out, ACCESS_DENIED,
                                        "operators may manage nova-agent@NAME.service units only");
                } else if (r < 0) {
                        log_warning("uid %u: not a request: %s", (unsigned) uid, line);
                        r = reply_error(out, INVALID_ARGS, "not a request (operator-request.h)");
                } else
                        r = handle(bus, &req, uid, out);
        }
        return r;
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        FILE *in, *out;
        int r;

        log_set_target(LOG_TARGET_JOURNAL);
        in = fdopen(STDIN_FILENO, "r");
        out = fdopen(STDOUT_FILENO, "w");
        if (!in || !out) {
                log_error("cannot open the connection: %s", strerror(errno));
                return EXIT_FAILURE;
        }
        if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                log_error("no peer credentials on stdin (not started by nova-agent-operator.socket?): %s", strerror(errno));
                return EXIT_FAILURE;
        }
        if (!uid_is_operator(cred.uid)) {
                log_warning("uid %u (pid %d) is not in %s: refused", (unsigned) cred.uid, (int) cred.pid,
                            OPERATOR_GROUP);
                reply_error(out, ACCESS_DENIED, "not a member of " OPERATOR_GROUP);
                return EXIT_FAILURE;
        }
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(bus, BUS_METHOD_CALL_TIMEOUT_USEC);
        if (r < 0) {
                log_error("cannot connect to the system bus: %s", strerror(-r));
                reply_error(out, "org.freedesktop.DBus.Error.Failed", "the broker cannot reach the system bus");
                return EXIT_FAILURE;
        }
        r = serve(bus, cred.uid, in, out);
        if (r < 0 && r != -EPIPE)
                log_warning("uid %u: cannot answer: %s", (unsigned) cred.uid, strerror(-r));
        return r < 0 && r != -EPIPE ? EXIT_FAILURE : EXIT_SUCCESS;
}
