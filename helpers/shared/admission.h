#pragma once

/* The admission state: whether new agents may start. nova-reliefd (issue 5)
 * publishes it, novactl spawn and the agent unit read it.
 *
 * File <dir>/admission (dir normally /run/nova-agents), key=value lines:
 *   state=open|closed            required
 *   since=<CLOCK_REALTIME usec>  when the state last changed
 *   used_percent=<float>         host memory used when it was written
 *   reason=<text>                one line, for humans
 *   last_relief=<usec>           CLOCK_REALTIME of nova-reliefd's last kill
 *   last_relief_victims=<n>      how many it killed then
 * Blank lines and '#' comments are ignored, and so are unknown keys (a newer
 * writer may add some). A missing file means open: a host without the daemon
 * admits everything. The file is replaced atomically, so a reader never sees
 * half of it. */

#include <stdbool.h>
#include <stdint.h>

#define ADMISSION_FILE "admission"
/* Exists exactly while the state is closed: the agent unit's start
 * condition (ConditionPathExists=|!…), which PID 1 checks without spawning
 * anything. Beside it, <dir>/NAME.admit (novactl spawn --force) admits one
 * start of NAME anyway; the unit's --prepare step consumes it. */
#define ADMISSION_CLOSED_FLAG "admission.closed"
#define ADMISSION_FORCE_SUFFIX ".admit"

typedef struct AdmissionState {
        bool closed;
        uint64_t since_usec;  /* 0: not given */
        double used_percent;  /* < 0: not given */
        char *reason;         /* NULL: not given */
        uint64_t last_relief_usec;    /* 0: never */
        uint64_t last_relief_victims;
} AdmissionState;

void admission_state_done(AdmissionState *s);

/* Parses the text of an admission file. -EBADMSG (with line and a static
 * description in *ret_line / *ret_problem, when not NULL) on a bad line, a
 * bad value or no state=. */
int admission_parse(const char *text, AdmissionState *ret, unsigned *ret_line, const char **ret_problem);

/* Reads <dir>/admission. A missing file is success with the state open. */
int admission_read(const char *dir, AdmissionState *ret, unsigned *ret_line, const char **ret_problem);

/* Writes <dir>/admission atomically, mode 0644 (everyone may read it), and
 * makes <dir>/admission.closed agree with it: created before a closed state
 * is written, removed after an open one is (so a crash in between errs on
 * the closed side). -EINVAL for a reason with a control character. */
int admission_write(const char *dir, const AdmissionState *s);

/* <dir>/NAME.admit: `novactl spawn --force`'s token for one start of NAME
 * while admission is closed. NULL when out of memory. */
char *admission_force_path(const char *dir, const char *name);

/* Removes NAME's token: 1 if there was one, 0 if not, -errno. The agent's
 * --prepare step calls it, so a token admits exactly one start. */
int admission_force_consume(const char *dir, const char *name);
