/* The admission state file: parse, read (missing = open), atomic write. */

#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>

#include "admission.h"
#include "test-util.h"

static void test_parse(void) {
        static const struct {
                const char *text;
                int r;
                bool closed;
                unsigned line;
                const char *why;
        } cases[] = {
                { "state=open\n", 0, false, 0, "open" },
                { "state=closed\nsince=1700000000000000\nused_percent=86.5\nreason=host at 86.5%\n", 0, true, 0, "closed, all keys" },
                { "# written by nova-reliefd\n\n  state = closed  \n", 0, true, 0, "comment, blank line, spaces" },
                { "state=closed\nfuture_key=whatever\n", 0, true, 0, "unknown keys are ignored" },
                { "state=closed\nstate=open\n", 0, false, 0, "the last state= wins" },
                { "", -EBADMSG, false, 0, "empty file: no state=" },
                { "since=1\n", -EBADMSG, false, 0, "no state=" },
                { "state=shut\n", -EBADMSG, false, 1, "state neither open nor closed" },
                { "state=closed\nsince=-5\n", -EBADMSG, false, 2, "negative since" },
                { "state=closed\nsince=soon\n", -EBADMSG, false, 2, "since not a number" },
                { "state=closed\nused_percent=101\n", -EBADMSG, false, 2, "used_percent above 100" },
                { "state=closed\nused_percent=nan\n", -EBADMSG, false, 2, "used_percent nan" },
                { "state=closed\ngarbage\n", -EBADMSG, false, 2, "a line without '='" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                AdmissionState s = {};
                const char *problem = NULL;
                unsigned line = 99;
                int r = admission_parse(cases[i].text, &s, &line, &problem);

                is_int(r, cases[i].r, "parse %s: result", cases[i].why);
                if (r == 0)
                        is_int(s.closed, cases[i].closed, "parse %s: state", cases[i].why);
                else {
                        is_int(line, cases[i].line, "parse %s: line", cases[i].why);
                        ok(problem != NULL, "parse %s: a reason (%s)", cases[i].why, problem ? problem : "none");
                }
                admission_state_done(&s);
        }

        AdmissionState s = {};
        is_int(admission_parse("state=closed\nsince=1700000000000000\nused_percent=86.5\nreason=host at 86.5%\n", &s,
                               NULL, NULL), 0, "parse all keys");
        is_int((long long) s.since_usec, 1700000000000000LL, "since");
        ok(fabs(s.used_percent - 86.5) < 1e-9, "used_percent");
        is_str(s.reason, "host at 86.5%", "reason");
        admission_state_done(&s);

        is_int(admission_parse("state=open\n", &s, NULL, NULL), 0, "parse open only");
        ok(s.since_usec == 0 && s.used_percent < 0 && !s.reason, "absent keys read as not given");
}

static void test_files(void) {
        _cleanup_(freep) char *dir = test_mkdtemp();
        _cleanup_(freep) char *path = str_printf("%s/" ADMISSION_FILE, dir);
        _cleanup_(freep) char *flag = str_printf("%s/" ADMISSION_CLOSED_FLAG, dir);
        _cleanup_(freep) char *list = NULL;
        AdmissionState s = { .closed = true }, w;
        struct stat st;

        is_int(admission_read(dir, &s, NULL, NULL), 0, "no file: read succeeds");
        ok(!s.closed, "no file: open");

        w = (AdmissionState) { .closed = true, .since_usec = 1700000000123456ULL, .used_percent = 85.25,
                               .reason = (char *) "used 85.25% >= 85%" };
        is_int(admission_write(dir, &w), 0, "write closed");
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "written mode 0644");
        is_int(test_list_dir(dir, &list), 0, "list the directory");
        is_str(list, ADMISSION_FILE " " ADMISSION_CLOSED_FLAG, "the flag beside the file, no temporary file left");
        ok(stat(flag, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0, "closed: the unit's condition flag exists");
        is_int(admission_read(dir, &s, NULL, NULL), 0, "read it back");
        ok(s.closed && s.since_usec == w.since_usec && fabs(s.used_percent - 85.25) < 1e-9, "round trip: values");
        is_str(s.reason, w.reason, "round trip: reason");
        admission_state_done(&s);

        w.reason = (char *) "two\nlines";
        is_int(admission_write(dir, &w), -EINVAL, "a reason with a newline is refused");
        is_int(admission_read(dir, &s, NULL, NULL), 0, "the old file is still there");
        ok(s.closed, "and still closed");
        ok(access(flag, F_OK) == 0, "and so is the flag");
        admission_state_done(&s);
        is_int(admission_write(dir, &w), -EINVAL, "written again: refused again");
        w.reason = NULL;

        w = (AdmissionState) { .closed = false, .used_percent = -1 };
        is_int(admission_write(dir, &w), 0, "write open, no optional keys");
        is_int(admission_read(dir, &s, NULL, NULL), 0, "read open");
        ok(!s.closed && !s.reason && s.since_usec == 0, "open, nothing else");
        ok(access(flag, F_OK) < 0 && errno == ENOENT, "open: the flag is gone");
        is_int(admission_write(dir, &w), 0, "open again: no flag to remove is fine");
        free(list);
        list = NULL;
        is_int(test_list_dir(dir, &list), 0, "list the directory");
        is_str(list, ADMISSION_FILE, "only the state file");

        w = (AdmissionState) { .closed = true, .used_percent = -1 };
        is_int(admission_write(dir, &w), 0, "closed again");
        is_int(chmod(dir, 0500), 0, "the directory read-only");
        w.closed = false;
        if (geteuid() != 0) {
                is_int(admission_write(dir, &w), -EACCES, "open cannot be written: -EACCES");
                ok(access(flag, F_OK) == 0, "the flag stays: starts still skipped (fails closed)");
        }
        is_int(chmod(dir, 0700), 0, "writable again");

        is_int(test_rm_rf(dir), 0, "clean up");
}

int main(void) {
        test_parse();
        test_files();
        return done_testing();
}
