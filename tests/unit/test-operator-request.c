/* The operators' broker's request lines (operator-request.h): what the
 * broker accepts is exactly what novactl formats, for agent units only. */

#include <errno.h>
#include <string.h>

#include "operator-request.h"
#include "tap.h"

#define LONGEST "nova-agent@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.service"

static const struct {
        const char *line;
        int want; /* 0, -EINVAL or -EPERM */
        const char *why;
} cases[] = {
        { "StartUnit nova-agent@a.service", 0, "a start" },
        { "StopUnit nova-agent@agent-001.service", 0, "a stop" },
        { "RestartUnit nova-agent@Build_Bot.v2.service", 0, "a restart" },
        { "KillUnit nova-agent@a.service 9", 0, "a kill with its signal" },
        { "ResetFailedUnit nova-agent@a.service", 0, "a reset-failed" },
        { "StartUnit " LONGEST, 0, "the longest name (64)" },
        { "StartUnit nova-agent@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.service", -EPERM,
          "a name of 65" },
        { "StartUnit nova-agents.slice", -EPERM, "the slice (stop --all is root's)" },
        { "StopUnit ssh.service", -EPERM, "another unit" },
        { "StartUnit nova-agent@.service", -EPERM, "the template" },
        { "StartUnit nova-agent@a\\x2fb.service", -EPERM, "an escaped instance" },
        { "StartUnit nova-agent@-x.service", -EPERM, "a name no tool accepts" },
        { "StartUnit nova-agent-operator@0.service", -EPERM, "the broker itself" },
        { "StartUnit nova-agent@a.service replace", -EINVAL, "a job mode (never the caller's)" },
        { "StartUnit nova-agent@a.service flush", -EINVAL, "--job-mode=flush" },
        { "StartUnitWithFlags nova-agent@a.service", -EINVAL, "a method not offered" },
        { "EnqueueUnitJob nova-agent@a.service", -EINVAL, "EnqueueUnitJob" },
        { "FreezeUnit nova-agent@a.service", -EINVAL, "a freeze" },
        { "KillUnit nova-agent@a.service", -EINVAL, "a kill without its signal" },
        { "KillUnit nova-agent@a.service 0", -EINVAL, "signal 0" },
        { "KillUnit nova-agent@a.service -9", -EINVAL, "a negative signal" },
        { "KillUnit nova-agent@a.service +9", -EINVAL, "a signal with its sign" },
        { "KillUnit nova-agent@a.service 09", -EINVAL, "a signal with a leading zero" },
        { "KillUnit nova-agent@a.service 99", -EINVAL, "a signal past SIGRTMAX" },
        { "KillUnit nova-agent@a.service 9 x", -EINVAL, "a fourth word" },
        { "StopUnit nova-agent@a.service 15", -EINVAL, "a signal for a stop" },
        { "StartUnit  nova-agent@a.service", -EINVAL, "two spaces" },
        { " StartUnit nova-agent@a.service", -EINVAL, "a leading space" },
        { "StartUnit nova-agent@a.service ", -EINVAL, "a trailing space" },
        { "StartUnit\tnova-agent@a.service", -EINVAL, "a tab" },
        { "startunit nova-agent@a.service", -EINVAL, "the method's case" },
        { "StartUnit", -EINVAL, "no unit" },
        { "", -EINVAL, "an empty line" },
};

int main(void) {
        OperatorRequest req;
        char buf[OPERATOR_LINE_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_int(operator_request_parse(cases[i].line, &req), cases[i].want, "%s: \"%s\"", cases[i].why,
                       cases[i].line);

        ok(operator_request_parse("KillUnit nova-agent@a.service 15", &req) == 0 && req.method == OPERATOR_KILL_UNIT &&
                   req.signo == 15 && strcmp(req.unit, "nova-agent@a.service") == 0,
           "a kill's method, unit and signal are read");
        /* Every accepted line is novactl's own spelling, and back. */
        for (OperatorMethod m = 0; m < _OPERATOR_METHOD_MAX; m++) {
                OperatorRequest a = { .method = m, .signo = m == OPERATOR_KILL_UNIT ? 9 : 0 }, b;
                strcpy(a.unit, LONGEST);
                int r = operator_request_format(&a, buf, sizeof(buf));
                buf[strcspn(buf, "\n")] = '\0';
                ok(r == 0 && operator_request_parse(buf, &b) == 0 && b.method == a.method && b.signo == a.signo &&
                           strcmp(b.unit, a.unit) == 0,
                   "%s: formatted and parsed back (\"%s\")", operator_method_to_string(m), buf);
        }
        OperatorRequest slice = { .method = OPERATOR_STOP_UNIT, .unit = "nova-agents.slice" };
        is_int(operator_request_format(&slice, buf, sizeof(buf)), -EPERM, "novactl does not even send the slice's stop");
        OperatorRequest nosig = { .method = OPERATOR_KILL_UNIT, .unit = "nova-agent@a.service" };
        is_int(operator_request_format(&nosig, buf, sizeof(buf)), -EINVAL, "nor a kill without a signal");
        OperatorRequest a = { .method = OPERATOR_START_UNIT, .unit = "nova-agent@a.service" };
        is_int(operator_request_format(&a, buf, 10), -ENOBUFS, "a short buffer is said so");
        char longline[OPERATOR_LINE_MAX + 20];
        memset(longline, 'a', sizeof(longline) - 1);
        longline[sizeof(longline) - 1] = '\0';
        is_int(operator_request_parse(longline, &req), -EINVAL, "a line longer than OPERATOR_LINE_MAX");
        is_int(operator_method_from_string(NULL), _OPERATOR_METHOD_INVALID, "no method from NULL");
        return done_testing();
}
