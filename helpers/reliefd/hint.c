/* The soft pressure hint (SoftPressureHint=yes): when admission closes,
 * SIGUSR2 to the top-level processes of every nova-agent@ unit in the
 * slice, so that agents which handle it can shed caches before anyone is
 * killed. Not SIGUSR1: that is the soft-deadline warning. Children are not
 * signalled (a compiler would die of an unhandled SIGUSR2), and neither
 * are novactl run scopes (the operator's foreground command never asked). */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "agent-unit.h"
#include "cgroup-util.h"
#include "macro.h"
#include "reliefd.h"
#include "str-util.h"

static bool is_agent_dir(const struct dirent *de) {
        return de->d_type == DT_DIR && agent_unit_is_agent(de->d_name);
}

/* SIGUSR2 to one agent's top-level processes, through a pidfd (a PID can be
 * reused between the read of cgroup.procs and the signal); how many got it. */
static unsigned hint_agent(const Daemon *d, const char *unit) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", d->slice_dir, unit);
        _cleanup_(freep) pid_t *pids = NULL;
        size_t n = 0;
        unsigned sent = 0;

        if (!dir || cgroup_top_level_pids(d->proc_root, dir, &pids, &n) < 0)
                return 0; /* stopped meanwhile */
        for (size_t i = 0; i < n; i++) {
                int r = cgroup_signal_pid(d->proc_root, pids[i], unit, SIGUSR2);
                if (r >= 0)
                        sent++;
                else if (r != -ESRCH) /* -ESRCH: exited, or its PID is another process's now */
                        sd_journal_print(LOG_WARNING, "Soft pressure hint to %s, pid %d: %s", unit, (int) pids[i],
                                         strerror(-r));
        }
        return sent;
}

void hint_send(const Daemon *d) {
        unsigned agents = 0, processes = 0;
        DIR *dir;

        if (!d->config.soft_hint || !(dir = opendir(d->slice_dir)))
                return;
        for (struct dirent *de; (de = readdir(dir));) {
                if (!is_agent_dir(de))
                        continue;
                unsigned k = hint_agent(d, de->d_name);
                processes += k;
                agents += k > 0;
        }
        closedir(dir);
        sd_journal_send("MESSAGE=Soft pressure hint: SIGUSR2 sent to %u processes of %u agents", processes, agents,
                        "MESSAGE_ID=%s", MSGID_PRESSURE_HINT, "PRIORITY=%i", LOG_NOTICE,
                        "NOVA_HINT_AGENTS=%u", agents, "NOVA_HINT_PROCESSES=%u", processes, NULL);
}
