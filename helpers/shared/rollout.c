#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file-util.h"
#include "rollout.h"
#include "str-util.h"

#define ROLLOUT_FILE_MAX (64 * 1024)

void rollout_done(Rollout *r) {
        free(r->selection);
        r->selection = NULL;
}

static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

int rollout_parse(const char *text, Rollout *ret) {
        _cleanup_(freep) char *copy = strdup(text);
        Rollout r = {};
        bool seen_started = false;

        if (!copy)
                return -ENOMEM;
        for (char *line = copy, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *eq = strchr(line, '=');
                if (!eq) {
                        rollout_done(&r);
                        return -EBADMSG;
                }
                *eq = '\0';
                if (strcmp(line, "started") == 0) {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(eq + 1, &end, 10);
                        if (errno != 0 || end == eq + 1 || *end || eq[1] == '-' || v == 0) {
                                rollout_done(&r);
                                return -EBADMSG;
                        }
                        r.started_usec = v;
                        seen_started = true;
                } else if (strcmp(line, "selection") == 0) {
                        free(r.selection);
                        if (!(r.selection = strdup(eq + 1)))
                                return -ENOMEM;
                }
                /* Unknown keys: a newer writer's; ignored. */
        }
        if (!seen_started || !r.selection || has_control(r.selection)) {
                rollout_done(&r);
                return -EBADMSG;
        }
        *ret = r;
        return 0;
}

int rollout_read(const char *dir, Rollout *ret) {
        _cleanup_(freep) char *path = str_printf("%s/" ROLLOUT_FILE, dir), *text = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_file_full(path, ROLLOUT_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        return rollout_parse(text, ret);
}

int rollout_write(const char *dir, const Rollout *r) {
        _cleanup_(freep) char *path = str_printf("%s/" ROLLOUT_FILE, dir), *text = NULL;

        if (!path)
                return -ENOMEM;
        if (!r->selection || has_control(r->selection) || r->started_usec == 0)
                return -EINVAL;
        text = str_printf("started=%llu\nselection=%s\n", (unsigned long long) r->started_usec, r->selection);
        if (!text)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644);
}

int rollout_remove(const char *dir) {
        _cleanup_(freep) char *path = str_printf("%s/" ROLLOUT_FILE, dir);

        if (!path)
                return -ENOMEM;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

GateVerdict rollout_gate_check(const GateSample *s, uint64_t batch_start, uint64_t batch_done) {
        if (!s->active_state || strcmp(s->active_state, "active") != 0)
                return GATE_NOT_ACTIVE;
        if (s->entered_usec == 0 || s->entered_usec < batch_start)
                return GATE_NOT_RESTARTED;
        if (s->entered_usec > batch_done)
                return GATE_RESTARTED_AGAIN;
        if (s->oom_kills != UINT64_MAX && s->oom_kills > 0)
                return GATE_OOM_KILLED;
        return GATE_OK;
}

const char *gate_verdict_text(GateVerdict v) {
        switch (v) {
        case GATE_OK: return "healthy";
        case GATE_NOT_ACTIVE: return "not active";
        case GATE_NOT_RESTARTED: return "not restarted";
        case GATE_RESTARTED_AGAIN: return "started again after its restart (crashed and restarted?)";
        case GATE_OOM_KILLED: return "OOM-killed";
        }
        return "unknown";
}
