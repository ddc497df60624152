/* The broker's request lines (operator-request.h): parsed by the broker,
 * formatted by novactl, checked the same way on both sides. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operator-request.h"

static const char *const method_table[_OPERATOR_METHOD_MAX] = {
        [OPERATOR_START_UNIT] = "StartUnit",
        [OPERATOR_STOP_UNIT] = "StopUnit",
        [OPERATOR_RESTART_UNIT] = "RestartUnit",
        [OPERATOR_KILL_UNIT] = "KillUnit",
        [OPERATOR_RESET_FAILED_UNIT] = "ResetFailedUnit",
};

const char *operator_method_to_string(OperatorMethod m) {
        return m >= 0 && m < _OPERATOR_METHOD_MAX ? method_table[m] : NULL;
}

OperatorMethod operator_method_from_string(const char *s) {
        for (OperatorMethod m = 0; m < _OPERATOR_METHOD_MAX; m++)
                if (s && strcmp(s, method_table[m]) == 0)
                        return m;
        return _OPERATOR_METHOD_INVALID;
}

/* Only agents' units, by the name rule every tool enforces: no escapes
 * (nova-agent@a\x2fb), no other template, nothing else. */
static bool unit_is_operators(const char *unit) {
        char *name = agent_name_from_unit(unit);
        bool ok = name && agent_name_is_valid(name);

        free(name);
        return ok;
}

static bool signal_is_valid(int signo) {
        return signo > 0 && signo < SIGRTMAX + 1;
}

int operator_request_parse(const char *line, OperatorRequest *ret) {
        char method[32], unit[96], extra[2];
        int signo = 0, n;

        if (!line || strlen(line) > OPERATOR_LINE_MAX)
                return -EINVAL;
        /* Two words, or three for KillUnit; the canonical spelling is checked below. */
        n = sscanf(line, "%31[A-Za-z] %95[^ ] %d%1s", method, unit, &signo, extra);
        if (n < 2 || strlen(unit) >= sizeof(ret->unit))
                return -EINVAL;
        OperatorMethod m = operator_method_from_string(method);
        if (m < 0 || (m == OPERATOR_KILL_UNIT) != (n == 3) || (n == 3 && !signal_is_valid(signo)))
                return -EINVAL;
        if (!unit_is_operators(unit))
                return -EPERM;
        /* The canonical form, so "StartUnit  x" or a sign in the number is no request. */
        OperatorRequest req = { .method = m, .signo = n == 3 ? signo : 0 };
        strcpy(req.unit, unit);
        char again[OPERATOR_LINE_MAX + 2];
        if (operator_request_format(&req, again, sizeof(again)) < 0 || strlen(again) != strlen(line) + 1 ||
            strncmp(again, line, strlen(line)) != 0)
                return -EINVAL;
        *ret = req;
        return 0;
}

int operator_request_format(const OperatorRequest *req, char *buf, size_t size) {
        const char *method = operator_method_to_string(req->method);
        int n;

        if (!method)
                return -EINVAL;
        if (!unit_is_operators(req->unit))
                return -EPERM;
        if (req->method == OPERATOR_KILL_UNIT) {
                if (!signal_is_valid(req->signo))
                        return -EINVAL;
                n = snprintf(buf, size, "%s %s %d\n", method, req->unit, req->signo);
        } else
                n = snprintf(buf, size, "%s %s\n", method, req->unit);
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}
