/* reliefd.conf: defaults, every key, and each kind of bad input with its
 * file:line message; the file on disk, missing and present. */

#include "relief-config.h"
#include "test-util.h"

static void parse_ok(const char *text, ReliefConfig *c, const char *what) {
        _cleanup_(freep) char *error = NULL;
        relief_config_defaults(c);
        int r = relief_config_parse("t.conf", text, c, &error);
        if (!is_int(r, 0, "%s: parses", what))
                diag("error: %s", error ? error : "(none)");
}

static void parse_bad(const char *text, const char *want, const char *what) {
        _cleanup_(freep) char *error = NULL;
        ReliefConfig c;
        relief_config_defaults(&c);
        int r = relief_config_parse("t.conf", text, &c, &error);
        is_int(r, -EINVAL, "%s: refused", what);
        is_str(error, want, "%s: message", what);
        relief_config_done(&c);
}

int main(void) {
        ReliefConfig c;

        relief_config_defaults(&c);
        ok(c.admission_close_percent == 85 && c.admission_reopen_percent == 80 && c.kill_percent == 95 &&
                   c.target_percent == 75, "defaults 85/80/95/75");
        is_int((long long) c.admission_reopen_usec, 30000000, "default hold 30 s");
        is_int((long long) c.leak_bytes_per_hour, 100000000, "default leak rate 100 MB/h");
        ok(c.disk_close_percent == 85 && c.disk_reopen_percent == 80 && c.disk_reopen_usec == 30000000 && !c.disk_paths,
           "disk defaults 85/80/30 s, no extra paths");

        parse_ok("DiskClosePercent=90\nDiskReopenPercent=70.5\nDiskReopenHoldSec=4\nDiskPaths=/var/tmp  /srv\n"
                 "DiskPaths=/var/log\n", &c, "the disk keys");
        ok(c.disk_close_percent == 90 && c.disk_reopen_percent == 70.5 && c.disk_reopen_usec == 4000000,
           "disk thresholds read");
        ok(c.disk_paths && c.disk_paths[0] && c.disk_paths[1] && c.disk_paths[2] && !c.disk_paths[3],
           "DiskPaths= adds up: 3 paths");
        if (c.disk_paths && c.disk_paths[2])
                ok(strcmp(c.disk_paths[0], "/var/tmp") == 0 && strcmp(c.disk_paths[1], "/srv") == 0 &&
                           strcmp(c.disk_paths[2], "/var/log") == 0, "in order");
        relief_config_done(&c);
        parse_ok("DiskPaths=/a\nDiskPaths=\n", &c, "an empty DiskPaths=");
        ok(!c.disk_paths, "forgets the paths before it");
        relief_config_done(&c);
        parse_bad("DiskPaths=/a tmp\n", "t.conf:1: DiskPaths=/a tmp: wants at most 15 absolute paths separated by spaces, or nothing",
                  "a relative DiskPaths= word");
        parse_bad("DiskPaths=/1 /2 /3 /4 /5 /6 /7 /8\nDiskPaths=/9 /10 /11 /12 /13 /14 /15 /16\n",
                  "t.conf:2: DiskPaths=/9 /10 /11 /12 /13 /14 /15 /16: wants at most 15 absolute paths separated by spaces, or nothing",
                  "16 DiskPaths=");
        parse_bad("DiskClosePercent=0\n", "t.conf:1: DiskClosePercent=0: wants a percentage above 0 and at most 100",
                  "DiskClosePercent=0");
        parse_bad("DiskReopenHoldSec=0\n", "t.conf:1: DiskReopenHoldSec=0: wants a positive whole number",
                  "DiskReopenHoldSec=0");
        parse_bad("DiskReopenPercent=85\n", "t.conf: DiskReopenPercent must be below DiskClosePercent",
                  "disk reopen = close");

        parse_ok("# comment\n\n; also\nAdmissionClosePercent = 88.5\nAdmissionReopenPercent=70\n"
                 "AdmissionReopenHoldSec=5\nReliefKillPercent=97\nReliefTargetPercent=60\nLeakRateMBPerHour=50\n"
                 "LeakWindowSec=60\nFillRateMBPerSec=1000\nMaxSleepMSec=2000\nSoftPressureHint=yes\n"
                 "MetricsFile=/var/lib/prometheus/node-exporter/nova.prom\n", &c, "every key");
        ok(c.admission_close_percent == 88.5 && c.admission_reopen_percent == 70 && c.kill_percent == 97 &&
                   c.target_percent == 60, "thresholds read");
        is_int((long long) c.admission_reopen_usec, 5000000, "hold 5 s");
        is_int((long long) c.leak_window_usec, 60000000, "window 60 s");
        is_int((long long) c.fill_bytes_per_sec, 1000000000, "fill 1000 MB/s");
        is_int((long long) c.max_sleep_usec, 2000000, "max sleep 2 s");
        ok(c.soft_hint, "soft hint on");
        is_str(c.metrics_file, "/var/lib/prometheus/node-exporter/nova.prom", "metrics file");
        relief_config_done(&c);

        parse_ok("ReliefPressurePercent=40\nReliefPressureSec=0\n", &c, "pressure keys");
        ok(c.pressure_percent == 40 && c.pressure_usec == 0, "pressure 40 %%, off (0 s)");
        relief_config_done(&c);
        parse_ok("", &c, "no pressure keys");
        ok(c.pressure_percent == 60 && c.pressure_usec == 30000000, "pressure defaults: 60 %% for 30 s (systemd-oomd's)");
        relief_config_done(&c);
        parse_bad("ReliefPressureSec=-1\n", "t.conf:1: ReliefPressureSec=-1: wants a whole number of seconds (0: off)",
                  "ReliefPressureSec=-1");

        parse_ok("MetricsFile=\n", &c, "empty MetricsFile=");
        ok(c.metrics_disabled && !c.metrics_file, "empty MetricsFile= turns metrics off");
        relief_config_done(&c);
        parse_ok("", &c, "an empty file");
        ok(c.kill_percent == 95 && !c.metrics_disabled, "an empty file keeps the defaults");

        parse_ok("ReliefKillPercent=97\rReliefTargetPercent=60\r\nSoftPressureHint=yes\r", &c, "CR and CRLF line ends");
        ok(c.kill_percent == 97 && c.target_percent == 60 && c.soft_hint, "CR and CRLF: every line read");
        relief_config_done(&c);
        parse_bad("ReliefKillPercent=95\rBogus=1\r", "t.conf:2: Bogus=1: unknown key", "CR: line numbers count CRs");
        parse_bad("ReliefKillPercent=95\nBogus=1\n", "t.conf:2: Bogus=1: unknown key", "unknown key");
        parse_bad("ReliefKillPercent\n", "t.conf:1: ReliefKillPercent: not a Key=Value line", "no '='");
        parse_bad("ReliefKillPercent=101\n", "t.conf:1: ReliefKillPercent=101: wants a percentage above 0 and at most 100",
                  "101%%");
        parse_bad("ReliefTargetPercent=0\n", "t.conf:1: ReliefTargetPercent=0: wants a percentage above 0 and at most 100",
                  "0%%");
        parse_bad("AdmissionClosePercent=nan\n",
                  "t.conf:1: AdmissionClosePercent=nan: wants a percentage above 0 and at most 100", "nan");
        parse_bad("AdmissionReopenHoldSec=-3\n", "t.conf:1: AdmissionReopenHoldSec=-3: wants a positive whole number",
                  "negative seconds");
        parse_bad("AdmissionReopenHoldSec=0\n", "t.conf:1: AdmissionReopenHoldSec=0: wants a positive whole number",
                  "zero seconds");
        parse_bad("LeakRateMBPerHour=1e3\n", "t.conf:1: LeakRateMBPerHour=1e3: wants a positive whole number of MB",
                  "not an integer");
        parse_bad("SoftPressureHint=maybe\n", "t.conf:1: SoftPressureHint=maybe: wants yes or no", "bad boolean");
        parse_bad("MetricsFile=relative.prom\n", "t.conf:1: MetricsFile=relative.prom: wants an absolute path or nothing",
                  "relative path");
        parse_bad("AdmissionReopenPercent=85\n", "t.conf: AdmissionReopenPercent must be below AdmissionClosePercent",
                  "reopen = close");
        parse_bad("AdmissionClosePercent=96\n", "t.conf: AdmissionClosePercent must not be above ReliefKillPercent",
                  "close > kill");
        parse_bad("ReliefTargetPercent=95\n", "t.conf: ReliefTargetPercent must be below ReliefKillPercent",
                  "target = kill");
        parse_bad("\x01\xff=1\n", "t.conf:1: \\x01\\xff=1: unknown key", "control bytes are escaped");

        /* A failed parse leaves the caller's config as it was. */
        relief_config_defaults(&c);
        c.kill_percent = 99;
        _cleanup_(freep) char *error = NULL;
        relief_config_parse("t.conf", "ReliefKillPercent=90\nx\n", &c, &error);
        ok(c.kill_percent == 99, "a failed parse changes nothing");

        /* From disk. */
        _cleanup_(freep) char *dir = test_mkdtemp();
        _cleanup_(freep) char *path = str_printf("%s/reliefd.conf", dir);
        _cleanup_(freep) char *error2 = NULL;
        is_int(relief_config_load(dir, &c, &error2), 0, "a missing file: defaults");
        ok(c.kill_percent == 95, "defaults after a missing file");
        FILE *f = fopen(path, "w");
        fputs("ReliefKillPercent=92\nReliefKillPercent=x\n", f);
        fclose(f);
        is_int(relief_config_load(dir, &c, &error2), -EINVAL, "a bad file on disk is refused");
        ok(error2 && strstr(error2, "/reliefd.conf:2: ReliefKillPercent=x: "), "with its path and line");
        relief_config_done(&c);
        test_rm_rf(dir);
        return done_testing();
}
