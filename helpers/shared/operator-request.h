#pragma once

/* The operators' broker (issue 14): members of nova-operators manage agents
 * through nova-agent-operator@.service, not through polkit. A polkit rule
 * sees a request's unit and verb but not its job mode, so an operator it
 * lets start an agent may also pass --job-mode=flush, which cancels every
 * other job queued on the host. The broker asks PID 1 itself, always in mode
 * "replace", for agent units only. Both sides of its socket speak this.
 *
 * One request per line, one reply line per request:
 *   StartUnit|StopUnit|RestartUnit UNIT  →  "job PATH"
 *   KillUnit UNIT SIGNO (whom=all)       →  "ok"
 *   ResetFailedUnit UNIT                 →  "ok"
 *   a refused or failed request          →  "error D-BUS-ERROR-NAME MESSAGE"
 * UNIT is nova-agent@NAME.service with a valid NAME (agent-name.h). */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "agent-name.h"
#include "agent-unit.h"

#define OPERATOR_SOCKET RUNDIR "/nova-agent-operator.sock"
#define OPERATOR_GROUP "nova-operators"
/* A request's longest line (a kill of the longest name), without the newline. */
#define OPERATOR_LINE_MAX 128

typedef enum OperatorMethod {
        OPERATOR_START_UNIT,
        OPERATOR_STOP_UNIT,
        OPERATOR_RESTART_UNIT,
        OPERATOR_KILL_UNIT,
        OPERATOR_RESET_FAILED_UNIT,
        _OPERATOR_METHOD_MAX,
        _OPERATOR_METHOD_INVALID = -EINVAL,
} OperatorMethod;

typedef struct OperatorRequest {
        OperatorMethod method;
        char unit[sizeof(AGENT_UNIT_PREFIX) + AGENT_NAME_MAX + sizeof(AGENT_UNIT_SUFFIX)];
        int signo; /* KillUnit's; 0 otherwise */
} OperatorRequest;

/* "StartUnit", …: the org.freedesktop.systemd1.Manager method it is. */
const char *operator_method_to_string(OperatorMethod m);
/* The method of that name, or _OPERATOR_METHOD_INVALID. */
OperatorMethod operator_method_from_string(const char *s);
/* Whether the method makes a job (its reply is "job PATH"). */
static inline bool operator_method_makes_job(OperatorMethod m) {
        return m == OPERATOR_START_UNIT || m == OPERATOR_STOP_UNIT || m == OPERATOR_RESTART_UNIT;
}

/* One request line (no newline) → *ret. -EINVAL: not a request this
 * protocol knows (method, syntax, signal); -EPERM: a unit operators may not
 * manage (anything but an agent's, an escaped or invalid name). */
int operator_request_parse(const char *line, OperatorRequest *ret);
/* The line of a request, newline included, in buf. -EPERM for a unit that is
 * not an agent's, -EINVAL for a bad signal, -ENOBUFS when size is too small. */
int operator_request_format(const OperatorRequest *req, char *buf, size_t size);
