/* Disk admission (issue 15): the filesystem holding the workspaces, and
 * those of DiskPaths=, looked at on every tick (a statvfs() each). Full
 * disks close admission like memory does, with reason "disk PATH ..."; disk
 * never kills. Admission is closed while either memory or disk closes it. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "agent-workspace.h"
#include "fleet-metrics.h"
#include "reliefd.h"

static const char *disk_path(const Daemon *d, size_t i) {
        if (i == 0) {
                const char *w = getenv("NOVA_AGENTS_WORKSPACES");
                return w && *w ? w : AGENT_WORKSPACES_DIR;
        }
        return d->config.disk_paths[i - 1];
}

static size_t disk_read_all(Daemon *d) {
        size_t n = 1;

        while (n <= RELIEF_DISK_PATHS_MAX && d->config.disk_paths && d->config.disk_paths[n - 1])
                n++;
        for (size_t i = 0; i < n; i++) {
                int r = disk_fill_read(NULL, disk_path(d, i), &d->disk_fills[i]);
                if (r < 0) {
                        if (d->disk_fills[i].size_bytes > 0 || d->looks_total == 1)
                                fprintf(stderr, "cannot statvfs %s: %s\n", disk_path(d, i), strerror(-r));
                        d->disk_fills[i] = (DiskFill) {};
                }
        }
        d->n_disk_fills = n;
        return n;
}

/* Memory reopens while disk keeps admission closed: the file keeps saying
 * closed, now for the disk's reason, and no "opened" entry is logged. */
bool disk_keeps_closed(Daemon *d, double used_percent) {
        if (!d->disk.closed)
                return false;
        (void) admission_publish(d, used_percent, d->disk_reason);
        return true;
}

void disk_tick(Daemon *d, double used_percent) {
        bool was_closed = d->admission.closed || d->disk.closed;
        size_t n = disk_read_all(d), worst;
        char reason[sizeof(d->disk_reason)];
        const char *what;

        AdmissionChange ch = disk_admission_step(&d->disk, &d->config, d->disk_fills, n, now_usec(CLOCK_MONOTONIC), &worst);
        if (ch == ADMISSION_UNCHANGED)
                return;
        double pct = disk_fill_percent(&d->disk_fills[worst], &what);
        if (ch == ADMISSION_CLOSE)
                snprintf(d->disk_reason, sizeof(d->disk_reason), "disk %s %.1f%% full (%s) >= %.0f%%",
                         disk_path(d, worst), pct, what, d->config.disk_close_percent);
        snprintf(reason, sizeof(reason), "disk %s %.1f%% full (%s) <= %.0f%% for %llu s", disk_path(d, worst), pct,
                 what, d->config.disk_reopen_percent, (unsigned long long) (d->config.disk_reopen_usec / 1000000));
        if (admission_overall(was_closed, d->admission.closed, d->disk.closed) != ADMISSION_UNCHANGED)
                d->transitions_total++;
        else if (ch == ADMISSION_OPEN) {
                /* Memory still holds it closed: its reason again. */
                snprintf(reason, sizeof(reason), "host memory used %.1f%%, not yet <= %.0f%% for %llu s", used_percent,
                         d->config.admission_reopen_percent,
                         (unsigned long long) (d->config.admission_reopen_usec / 1000000));
                (void) admission_publish(d, used_percent, reason);
                return;
        }
        (void) admission_publish(d, used_percent, ch == ADMISSION_CLOSE ? d->disk_reason : reason);
        sd_journal_send("MESSAGE=Admission %s: %s", ch == ADMISSION_CLOSE ? "closed" : "opened",
                        ch == ADMISSION_CLOSE ? d->disk_reason : reason,
                        "MESSAGE_ID=%s", ch == ADMISSION_CLOSE ? MSGID_ADMISSION_CLOSED : MSGID_ADMISSION_OPENED,
                        "PRIORITY=%i", ch == ADMISSION_CLOSE ? LOG_WARNING : LOG_NOTICE,
                        "NOVA_DISK_PATH=%s", disk_path(d, worst), "NOVA_DISK_PERCENT=%.2f", pct, NULL);
}

/* One gauge family, a series per filesystem with its path as label (escaped
 * as every label of ours, metrics_label_value()). */
static void ratio_family(const Daemon *d, FILE *f, const char *name, const char *help, bool inodes) {
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
        for (size_t i = 0; i < d->n_disk_fills; i++)
                if (d->disk_fills[i].size_bytes > 0) {
                        fprintf(f, "%s{path=\"", name);
                        metrics_label_value(f, disk_path(d, i));
                        fprintf(f, "\"} %.4f\n",
                                (inodes ? d->disk_fills[i].inodes_percent : d->disk_fills[i].blocks_percent) / 100);
                }
}

void disk_metrics(const Daemon *d, FILE *f) {
        fprintf(f, "# HELP nova_reliefd_disk_admission_closed 1 while a full disk keeps admission closed.\n"
                   "# TYPE nova_reliefd_disk_admission_closed gauge\nnova_reliefd_disk_admission_closed %d\n",
                d->disk.closed);
        ratio_family(d, f, "nova_reliefd_disk_used_ratio", "Filesystem blocks used / (used + available), as df.", false);
        ratio_family(d, f, "nova_reliefd_disk_inodes_used_ratio", "Filesystem inodes used / total.", true);
}
