/* nova-admission-check NAME: the ExecCondition= of nova-agent@.service.
 * Exit 0 lets the agent start; exit 1 makes systemd skip the start (not a
 * failure), after one line on stderr (the journal) saying why:
 *   - <rundir>/admission says state=closed (nova-reliefd closed it), or it
 *     cannot be read (fail closed, like novactl spawn);
 * unless <rundir>/NAME.admit exists: `novactl spawn --force` leaves it for
 * exactly one start, and it is removed here. A missing admission file is
 * open (a host without nova-reliefd admits everything).
 * Exit 255 (a failed start): bad usage or an invalid name. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admission.h"
#include "agent-name.h"
#include "agent-unit.h"
#include "macro.h"
#include "str-util.h"

int main(int argc, char **argv) {
        const char *rundir = agents_rundir();
        _cleanup_(admission_state_done) AdmissionState s = {};
        _cleanup_(freep) char *admit = NULL;
        const char *problem = NULL;
        unsigned line = 0;
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: nova-admission-check NAME\n");
                return 255;
        }
        if (!agent_name_is_valid(argv[1])) {
                _cleanup_(freep) char *e = str_escape(argv[1]);
                fprintf(stderr, "invalid agent name \"%s\": %s\n", e ? e : "", AGENT_NAME_RULE);
                return 255;
        }
        admit = str_printf("%s/%s.admit", rundir, argv[1]);
        if (!admit)
                return 255;
        if (unlink(admit) == 0) {
                fprintf(stderr, "admission: %s admitted once by --force\n", argv[1]);
                return 0;
        }
        r = admission_read(rundir, &s, &line, &problem);
        if (r < 0) {
                fprintf(stderr, "admission state %s/" ADMISSION_FILE " unreadable (%s%s%.0u): not starting %s\n",
                        rundir, problem ? problem : strerror(-r), line ? ", line " : "", line, argv[1]);
                return 1;
        }
        if (!s.closed)
                return 0;
        fprintf(stderr, "admission closed by nova-reliefd%s%s: not starting %s "
                        "(novactl spawn --force %s overrides)\n",
                s.reason ? ": " : "", s.reason ? s.reason : "", argv[1], argv[1]);
        return 1;
}
