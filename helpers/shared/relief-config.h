#pragma once

/* The relief policy's numbers: /etc/nova-agents/reliefd.conf, read by
 * nova-reliefd and by novactl (relieve's default target, capacity). One
 * "Key=Value" per line, '#' comments, blank lines; unknown keys and bad
 * values are errors with the file's line (a typo must not silently leave
 * the default in force). A missing file means the defaults. */

#include <stdbool.h>
#include <stdint.h>

#define RELIEF_CONFIG_FILE "reliefd.conf"
#define RELIEF_DISK_PATHS_MAX 15 /* DiskPaths= beside the workspaces */

typedef struct ReliefConfig {
        double admission_close_percent;  /* AdmissionClosePercent=85 */
        double admission_reopen_percent; /* AdmissionReopenPercent=80 */
        uint64_t admission_reopen_usec;  /* AdmissionReopenHoldSec=30 */
        double kill_percent;             /* ReliefKillPercent=95 */
        double target_percent;           /* ReliefTargetPercent=75 */
        /* Relief also when the host thrashes below kill%: memory "full"
         * avg10 of /proc/pressure/memory at or above this for that long,
         * with used at or above AdmissionClosePercent=. 0 s: off. */
        double pressure_percent;         /* ReliefPressurePercent=60 */
        uint64_t pressure_usec;          /* ReliefPressureSec=30 */
        uint64_t leak_bytes_per_hour;    /* LeakRateMBPerHour=100 (MB = 10^6 bytes) */
        uint64_t leak_window_usec;       /* LeakWindowSec=600 */
        uint64_t fill_bytes_per_sec;     /* FillRateMBPerSec=200: worst case assumed between samples */
        uint64_t max_sleep_usec;         /* MaxSleepMSec=10000 */
        bool soft_hint;                  /* SoftPressureHint=no: SIGUSR2 to each agent's main process when admission closes */
        char *metrics_file;              /* MetricsFile=; NULL: the daemon's default */
        bool metrics_disabled;           /* MetricsFile= (empty): none */
        /* Disk admission (issue 15): the workspaces' filesystem and these. */
        double disk_close_percent;       /* DiskClosePercent=85, blocks or inodes */
        double disk_reopen_percent;      /* DiskReopenPercent=80 */
        uint64_t disk_reopen_usec;       /* DiskReopenHoldSec=30 */
        char **disk_paths;               /* DiskPaths=: more absolute paths, space-separated; repeatable */
} ReliefConfig;

void relief_config_defaults(ReliefConfig *c);
void relief_config_done(ReliefConfig *c);

/* Parses text (named path in messages). On error *ret_error is
 * "path:line: problem" and the return -EINVAL (or -ENOMEM). *c holds the
 * defaults overridden by the file's keys only on success. */
int relief_config_parse(const char *path, const char *text, ReliefConfig *c, char **ret_error);
/* Reads <dir>/reliefd.conf; a missing file leaves the defaults. */
int relief_config_load(const char *dir, ReliefConfig *c, char **ret_error);
