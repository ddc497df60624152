/* rollout.c: the record of a rolling restart (parse, write, read back) and
 * the health gate's verdict; parse_duration() and parse_ulong(), which
 * novactl restart's options use. */

#include <stdint.h>

#include "file-util.h"
#include "rollout.h"
#include "test-util.h"

static void test_parse(void) {
        Rollout r = {};

        is_int(rollout_parse("started=123\nselection=--all\n", &r), 0, "a record parses");
        is_int((long long) r.started_usec, 123, "started=");
        is_str(r.selection, "--all", "selection=");
        rollout_done(&r);
        is_int(rollout_parse("selection=web-*\nstarted=5\nnewer_key=1\n", &r), 0, "unknown keys are ignored");
        rollout_done(&r);
        is_int(rollout_parse("selection=x\n", &r), -EBADMSG, "no started=: refused");
        is_int(rollout_parse("started=5\n", &r), -EBADMSG, "no selection=: refused");
        is_int(rollout_parse("started=-5\nselection=x\n", &r), -EBADMSG, "a negative started=: refused");
        is_int(rollout_parse("started=0\nselection=x\n", &r), -EBADMSG, "started=0: refused");
        is_int(rollout_parse("started=5x\nselection=x\n", &r), -EBADMSG, "trailing garbage: refused");
        is_int(rollout_parse("started 5\nselection=x\n", &r), -EBADMSG, "a line without '=': refused");
        is_int(rollout_parse("started=5\nselection=a\rb\n", &r), -EBADMSG, "a control character: refused");
}

static void test_file(void) {
        _cleanup_(freep) char *dir = test_mkdtemp(), *path = str_printf("%s/rollout", dir), *text = NULL;
        Rollout w = { .started_usec = 987654321, .selection = (char *) "agent-0* db-1" }, r = {};

        is_int(rollout_read(dir, &r), -ENOENT, "no record: -ENOENT");
        is_int(rollout_write(dir, &w), 0, "written");
        ok(read_file_full(path, 4096, &text, NULL) == 0 && strcmp(text, "started=987654321\nselection=agent-0* db-1\n") == 0,
           "the file holds the two keys");
        is_int(rollout_read(dir, &r), 0, "read back");
        ok(r.started_usec == w.started_usec && strcmp(r.selection, w.selection) == 0, "the same values");
        rollout_done(&r);
        Rollout bad = { .started_usec = 1, .selection = (char *) "a\nstarted=2" };
        is_int(rollout_write(dir, &bad), -EINVAL, "a selection with a newline is refused (no injected key)");
        is_int(rollout_read(dir, &r), 0, "and the old record is untouched");
        is_int((long long) r.started_usec, 987654321, "same started=");
        rollout_done(&r);
        is_int(rollout_remove(dir), 0, "removed");
        is_int(rollout_remove(dir), 0, "removing it again is fine");
        is_int(rollout_read(dir, &r), -ENOENT, "gone");
        test_rm_rf(dir);
}

static void test_gate(void) {
        static const struct {
                GateSample s;
                GateVerdict want;
                const char *what;
        } cases[] = {
                { { "active", 150, 0 }, GATE_OK, "active, entered during the batch, no OOM kill" },
                { { "active", 150, UINT64_MAX }, GATE_OK, "an unreadable memory.events does not fail it" },
                { { "failed", 150, 0 }, GATE_NOT_ACTIVE, "failed" },
                { { "activating", 150, 0 }, GATE_NOT_ACTIVE, "still activating after the health wait" },
                { { NULL, 0, UINT64_MAX }, GATE_NOT_ACTIVE, "not loaded any more" },
                { { "active", 50, 0 }, GATE_NOT_RESTARTED, "entered active before the batch" },
                { { "active", 0, 0 }, GATE_NOT_RESTARTED, "timestamp unknown" },
                { { "active", 250, 0 }, GATE_RESTARTED_AGAIN, "entered active again after the jobs ended" },
                { { "active", 150, 1 }, GATE_OOM_KILLED, "OOM-killed in its new cgroup" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_int(rollout_gate_check(&cases[i].s, 100, 200), cases[i].want, "gate: %s", cases[i].what);
        is_int(rollout_gate_check(&cases[0].s, 150, 150), GATE_OK, "gate: boundaries are inclusive");
}

static void test_parsers(void) {
        static const struct {
                const char *s;
                int r;
                uint64_t usec;
        } d[] = {
                { "2s", 0, 2000000 },  { "500ms", 0, 500000 }, { "5min", 0, 300000000 }, { "5m", 0, 300000000 },
                { "1h", 0, 3600000000ULL }, { "3", 0, 3000000 }, { "0", 0, 0 }, { "", -EINVAL, 0 },
                { "-1s", -EINVAL, 0 }, { " 2s", -EINVAL, 0 }, { "2 s", -EINVAL, 0 }, { "2d", -EINVAL, 0 },
                { "s", -EINVAL, 0 }, { "99999999999999999999s", -ERANGE, 0 }, { "18446744073709h", -ERANGE, 0 },
        };
        unsigned long v;

        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                uint64_t got = 42;
                int r = parse_duration(d[i].s, &got);
                ok(r == d[i].r && (r < 0 ? got == 42 : got == d[i].usec), "parse_duration(\"%s\")", d[i].s);
        }
        ok(parse_ulong("10", 10, &v) == 0 && v == 10, "parse_ulong: max is allowed");
        is_int(parse_ulong("11", 10, &v), -EINVAL, "parse_ulong: above max");
        is_int(parse_ulong("-1", 10, &v), -EINVAL, "parse_ulong: no sign");
        is_int(parse_ulong("+1", 10, &v), -EINVAL, "parse_ulong: no plus");
        is_int(parse_ulong(" 1", 10, &v), -EINVAL, "parse_ulong: no space");
        is_int(parse_ulong("1x", 10, &v), -EINVAL, "parse_ulong: no trailing garbage");
        is_int(parse_ulong("", 10, &v), -EINVAL, "parse_ulong: not empty");
}

int main(void) {
        test_parse();
        test_file();
        test_gate();
        test_parsers();
        return done_testing();
}
