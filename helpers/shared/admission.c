#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admission.h"
#include "file-util.h"
#include "str-util.h"

#define ADMISSION_FILE_MAX (16 * 1024)

void admission_state_done(AdmissionState *s) {
        free(s->reason);
        s->reason = NULL;
}

static int parse_line(char *line, AdmissionState *s, bool *seen_state, const char **ret_problem) {
        char *eq = strchr(line, '=');

        if (!eq) {
                *ret_problem = "not a key=value line";
                return -EBADMSG;
        }
        *eq = '\0';
        const char *key = str_strip(line);
        char *value = str_strip(eq + 1), *end;

        if (strcmp(key, "state") == 0) {
                if (strcmp(value, "open") != 0 && strcmp(value, "closed") != 0) {
                        *ret_problem = "state= is neither \"open\" nor \"closed\"";
                        return -EBADMSG;
                }
                s->closed = strcmp(value, "closed") == 0;
                *seen_state = true;
        } else if (strcmp(key, "since") == 0) {
                errno = 0;
                unsigned long long v = strtoull(value, &end, 10);
                if (errno != 0 || end == value || *end || value[0] == '-') {
                        *ret_problem = "since= is not a number of microseconds";
                        return -EBADMSG;
                }
                s->since_usec = v;
        } else if (strcmp(key, "used_percent") == 0) {
                errno = 0;
                double v = strtod(value, &end);
                if (errno != 0 || end == value || *end || !isfinite(v) || v < 0 || v > 100) {
                        *ret_problem = "used_percent= is not a number from 0 to 100";
                        return -EBADMSG;
                }
                s->used_percent = v;
        } else if (strcmp(key, "last_relief") == 0 || strcmp(key, "last_relief_victims") == 0) {
                errno = 0;
                unsigned long long v = strtoull(value, &end, 10);
                if (errno != 0 || end == value || *end || value[0] == '-') {
                        *ret_problem = "last_relief= and last_relief_victims= want a number";
                        return -EBADMSG;
                }
                if (key[11] == '\0')
                        s->last_relief_usec = v;
                else
                        s->last_relief_victims = v;
        } else if (strcmp(key, "reason") == 0) {
                char *r = strdup(value);
                if (!r)
                        return -ENOMEM;
                free(s->reason);
                s->reason = r;
        }
        return 0;
}

int admission_parse(const char *text, AdmissionState *ret, unsigned *ret_line, const char **ret_problem) {
        _cleanup_(freep) char *copy = strdup(text);
        AdmissionState s = { .used_percent = -1 };
        const char *problem = NULL;
        bool seen_state = false;
        unsigned n = 0;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        for (char *line = copy, *next; line && r >= 0; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                n++;
                char *l = str_strip(line);
                if (*l == '\0' || *l == '#')
                        continue;
                r = parse_line(l, &s, &seen_state, &problem);
        }
        if (r >= 0 && !seen_state) {
                r = -EBADMSG;
                problem = "no state= line";
                n = 0;
        }
        if (r < 0) {
                admission_state_done(&s);
                if (ret_line)
                        *ret_line = n;
                if (ret_problem)
                        *ret_problem = problem;
                return r;
        }
        *ret = s;
        return 0;
}

int admission_read(const char *dir, AdmissionState *ret, unsigned *ret_line, const char **ret_problem) {
        _cleanup_(freep) char *path = str_printf("%s/" ADMISSION_FILE, dir);
        _cleanup_(freep) char *text = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_file_full(path, ADMISSION_FILE_MAX, &text, NULL);
        if (r == -ENOENT) {
                *ret = (AdmissionState) { .used_percent = -1 };
                return 0;
        }
        if (r < 0)
                return r;
        return admission_parse(text, ret, ret_line, ret_problem);
}

int admission_write(const char *dir, const AdmissionState *s) {
        _cleanup_(freep) char *path = str_printf("%s/" ADMISSION_FILE, dir);
        _cleanup_(freep) char *flag = str_printf("%s/" ADMISSION_CLOSED_FLAG, dir);
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int r;

        if (!path || !flag)
                return -ENOMEM;
        for (const char *p = s->reason; p && *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return -EINVAL;
        if (s->used_percent > 100)
                return -EINVAL;

        FILE *f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "state=%s\n", s->closed ? "closed" : "open");
        if (s->since_usec > 0)
                fprintf(f, "since=%llu\n", (unsigned long long) s->since_usec);
        if (s->used_percent >= 0)
                fprintf(f, "used_percent=%.2f\n", s->used_percent);
        if (s->reason)
                fprintf(f, "reason=%s\n", s->reason);
        if (s->last_relief_usec > 0)
                fprintf(f, "last_relief=%llu\nlast_relief_victims=%llu\n", (unsigned long long) s->last_relief_usec,
                        (unsigned long long) s->last_relief_victims);
        if (fclose(f) != 0)
                return -ENOMEM;
        if (s->closed) {
                r = write_file_atomic(flag, "", 0, 0644);
                if (r < 0)
                        return r;
        }
        r = write_file_atomic(path, text, size, 0644);
        if (r < 0 || s->closed)
                return r;
        if (unlink(flag) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

char *admission_force_path(const char *dir, const char *name) {
        return str_printf("%s/%s" ADMISSION_FORCE_SUFFIX, dir, name);
}

int admission_force_consume(const char *dir, const char *name) {
        _cleanup_(freep) char *path = admission_force_path(dir, name);

        if (!path)
                return -ENOMEM;
        if (unlink(path) == 0)
                return 1;
        return errno == ENOENT ? 0 : -errno;
}
