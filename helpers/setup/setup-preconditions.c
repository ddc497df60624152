/* Step "preconditions": a host this package can protect at all. Only
 * reads; a failure stops the run before anything is changed (exit 4). */

#include <errno.h>
#include <string.h>

#include "host-util.h"
#include "setup.h"
#include "str-util.h"

int step_preconditions(Setup *s, char **ret_reason) {
        int r;

        r = host_check_systemd("", ret_reason);
        if (r >= 0)
                r = host_check_cgroup2("", ret_reason);
        if (r >= 0)
                r = host_check_psi("", ret_reason);
        if (r < 0)
                return r;
        *ret_reason = strdup("systemd as PID 1, cgroup v2 with memory and pids, PSI");
        return 0;
}
