#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "file-util.h"
#include "relief-config.h"
#include "relief.h"
#include "str-util.h"

#define RELIEF_CONFIG_MAX (64 * 1024)
#define USEC_PER_SEC 1000000ULL

void relief_config_defaults(ReliefConfig *c) {
        *c = (ReliefConfig) {
                .admission_close_percent = RELIEF_ADMISSION_CLOSE_PERCENT,
                .admission_reopen_percent = RELIEF_ADMISSION_REOPEN_PERCENT,
                .admission_reopen_usec = 30 * USEC_PER_SEC,
                .kill_percent = RELIEF_KILL_PERCENT,
                .target_percent = RELIEF_TARGET_PERCENT,
                /* systemd-oomd's defaults (DefaultMemoryPressureLimit=60%,
                 * DefaultMemoryPressureDurationSec=30s), on the host's PSI. */
                .pressure_percent = 60,
                .pressure_usec = 30 * USEC_PER_SEC,
                .leak_bytes_per_hour = 100ULL * 1000 * 1000,
                .leak_window_usec = 600 * USEC_PER_SEC,
                .fill_bytes_per_sec = 200ULL * 1000 * 1000,
                .max_sleep_usec = 10 * USEC_PER_SEC,
                .disk_close_percent = RELIEF_ADMISSION_CLOSE_PERCENT,
                .disk_reopen_percent = RELIEF_ADMISSION_REOPEN_PERCENT,
                .disk_reopen_usec = 30 * USEC_PER_SEC,
        };
}

void relief_config_done(ReliefConfig *c) {
        free(c->metrics_file);
        c->metrics_file = NULL;
        strv_free(c->disk_paths);
        c->disk_paths = NULL;
}

static int parse_percent(const char *v, double *ret) {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (errno != 0 || end == v || *end || !isfinite(d) || d <= 0 || d > 100)
                return -EINVAL;
        *ret = d;
        return 0;
}

static int parse_uint(const char *v, uint64_t max, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(v, &end, 10);
        if (errno != 0 || end == v || *end || v[0] == '-' || u > max)
                return -EINVAL;
        *ret = u;
        return 0;
}

static int parse_bool(const char *v, bool *ret) {
        if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
                *ret = true;
        else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

typedef enum { T_PERCENT, T_SEC, T_SEC0, T_MSEC, T_MB, T_BOOL, T_PATH, T_PATHS } KeyType; /* T_SEC0: 0 allowed (off) */

static const struct {
        const char *key;
        KeyType type;
        size_t offset;
} keys[] = {
        { "AdmissionClosePercent", T_PERCENT, offsetof(ReliefConfig, admission_close_percent) },
        { "AdmissionReopenPercent", T_PERCENT, offsetof(ReliefConfig, admission_reopen_percent) },
        { "AdmissionReopenHoldSec", T_SEC, offsetof(ReliefConfig, admission_reopen_usec) },
        { "ReliefKillPercent", T_PERCENT, offsetof(ReliefConfig, kill_percent) },
        { "ReliefTargetPercent", T_PERCENT, offsetof(ReliefConfig, target_percent) },
        { "ReliefPressurePercent", T_PERCENT, offsetof(ReliefConfig, pressure_percent) },
        { "ReliefPressureSec", T_SEC0, offsetof(ReliefConfig, pressure_usec) },
        { "LeakRateMBPerHour", T_MB, offsetof(ReliefConfig, leak_bytes_per_hour) },
        { "LeakWindowSec", T_SEC, offsetof(ReliefConfig, leak_window_usec) },
        { "FillRateMBPerSec", T_MB, offsetof(ReliefConfig, fill_bytes_per_sec) },
        { "MaxSleepMSec", T_MSEC, offsetof(ReliefConfig, max_sleep_usec) },
        { "SoftPressureHint", T_BOOL, offsetof(ReliefConfig, soft_hint) },
        { "MetricsFile", T_PATH, offsetof(ReliefConfig, metrics_file) },
        { "DiskClosePercent", T_PERCENT, offsetof(ReliefConfig, disk_close_percent) },
        { "DiskReopenPercent", T_PERCENT, offsetof(ReliefConfig, disk_reopen_percent) },
        { "DiskReopenHoldSec", T_SEC, offsetof(ReliefConfig, disk_reopen_usec) },
        { "DiskPaths", T_PATHS, offsetof(ReliefConfig, disk_paths) },
};

/* DiskPaths=: absolute paths, space-separated, added to those before; an
 * empty value forgets them. */
static int add_paths(char ***paths, const char *v) {
        _cleanup_(freep) char *copy = strdup(v);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        if (!*v) {
                strv_free(*paths);
                *paths = NULL;
                return 0;
        }
        size_t n = strv_length(*paths);
        for (char *w = strtok_r(copy, WHITESPACE, &save); w; w = strtok_r(NULL, WHITESPACE, &save), n++) {
                if (w[0] != '/' || n >= RELIEF_DISK_PATHS_MAX)
                        return -EINVAL;
                char *p = strdup(w);
                if (!p || strv_push(paths, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* One value into its field; a static problem text on error. */
static int set_value(ReliefConfig *c, KeyType type, size_t offset, const char *v, const char **problem) {
        void *field = (char *) c + offset;
        uint64_t u;

        switch (type) {
        case T_PERCENT:
                *problem = "wants a percentage above 0 and at most 100";
                return parse_percent(v, field);
        case T_SEC0:
                *problem = "wants a whole number of seconds (0: off)";
                if (parse_uint(v, 1000000000ULL, &u) < 0)
                        return -EINVAL;
                *(uint64_t *) field = u * USEC_PER_SEC;
                return 0;
        case T_SEC:
        case T_MSEC:
        case T_MB:
                *problem = type == T_MB ? "wants a positive whole number of MB" : "wants a positive whole number";
                if (parse_uint(v, 1000000000ULL, &u) < 0 || u == 0)
                        return -EINVAL;
                *(uint64_t *) field = type == T_SEC ? u * USEC_PER_SEC : type == T_MSEC ? u * 1000 : u * 1000 * 1000;
                return 0;
        case T_BOOL:
                *problem = "wants yes or no";
                return parse_bool(v, field);
        case T_PATH:
                *problem = "wants an absolute path or nothing";
                if (*v && v[0] != '/')
                        return -EINVAL;
                char *p = *v ? strdup(v) : NULL;
                if (*v && !p)
                        return -ENOMEM;
                free(*(char **) field);
                *(char **) field = p;
                c->metrics_disabled = !p;
                return 0;
        case T_PATHS:
                *problem = "wants at most 15 absolute paths separated by spaces, or nothing";
                return add_paths(field, v);
        }
        return -EINVAL;
}

static int parse_line(char *line, ReliefConfig *c, const char **problem) {
        char *eq = strchr(line, '=');

        if (!eq) {
                *problem = "not a Key=Value line";
                return -EINVAL;
        }
        *eq = '\0';
        const char *key = str_strip(line), *value = str_strip(eq + 1);
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (strcmp(keys[i].key, key) == 0)
                        return set_value(c, keys[i].type, keys[i].offset, value, problem);
        *problem = "unknown key";
        return -EINVAL;
}

/* The thresholds must nest: reopen < close <= kill, target < kill; for disk reopen < close. */
static const char *check_order(const ReliefConfig *c) {
        if (c->admission_reopen_percent >= c->admission_close_percent)
                return "AdmissionReopenPercent must be below AdmissionClosePercent";
        if (c->admission_close_percent > c->kill_percent)
                return "AdmissionClosePercent must not be above ReliefKillPercent";
        if (c->target_percent >= c->kill_percent)
                return "ReliefTargetPercent must be below ReliefKillPercent";
        if (c->disk_reopen_percent >= c->disk_close_percent)
                return "DiskReopenPercent must be below DiskClosePercent";
        return NULL;
}

int relief_config_parse(const char *path, const char *text, ReliefConfig *out, char **ret_error) {
        _cleanup_(freep) char *copy = strdup(text);
        ReliefConfig c;
        unsigned n = 0;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        relief_config_defaults(&c);
        for (char *next = copy; next;) {
                const char *problem = NULL;
                char *line = str_line_cut(&next);
                n++;
                char *l = str_strip(line);
                if (*l == '\0' || *l == '#' || *l == ';')
                        continue;
                char *shown = str_escape(l); /* before parse_line() cuts it at '=' */
                r = shown ? parse_line(l, &c, &problem) : -ENOMEM;
                if (r < 0 && r != -ENOMEM)
                        r = error_set(ret_error, -EINVAL, "%s:%u: %s: %s", path, n, shown, problem);
                free(shown);
                if (r < 0)
                        break;
        }
        const char *order = r == 0 ? check_order(&c) : NULL;
        if (order)
                r = error_set(ret_error, -EINVAL, "%s: %s", path, order);
        if (r < 0) {
                relief_config_done(&c);
                return r;
        }
        relief_config_done(out);
        *out = c;
        return 0;
}

int relief_config_load(const char *dir, ReliefConfig *c, char **ret_error) {
        _cleanup_(freep) char *path = str_printf("%s/" RELIEF_CONFIG_FILE, dir);
        _cleanup_(freep) char *text = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_file_full(path, RELIEF_CONFIG_MAX, &text, NULL);
        if (r == -ENOENT) {
                relief_config_done(c);
                relief_config_defaults(c);
                return 0;
        }
        if (r < 0)
                return error_set(ret_error, r, "%s: %s", path, strerror(-r));
        return relief_config_parse(path, text, c, ret_error);
}
