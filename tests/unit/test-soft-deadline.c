/* The soft deadline's record (soft-deadline.h): the one line written by
 * nova-agent-exec --prepare and read by nova-reliefd, its directory and its
 * refusals. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "file-util.h"
#include "soft-deadline.h"
#include "test-util.h"

static void test_parse(void) {
        static const struct {
                const char *text;
                int r;
                uint64_t soft, id;
        } cases[] = {
                { "900000000 4242\n", 0, 900000000, 4242 },
                { "3000000 18446744073709551615", 0, 3000000, UINT64_MAX },
                { "0 4242\n", -EBADMSG, 0, 0 },
                { "3000000 0\n", -EBADMSG, 0, 0 },
                { "3000000  4242\n", -EBADMSG, 0, 0 },
                { " 3000000 4242\n", -EBADMSG, 0, 0 },
                { "3000000 4242\n\n", -EBADMSG, 0, 0 },
                { "3000000 4242 7\n", -EBADMSG, 0, 0 },
                { "3s 4242\n", -EBADMSG, 0, 0 },
                { "3000000\n", -EBADMSG, 0, 0 },
                { "3000000 18446744073709551616\n", -EBADMSG, 0, 0 },
                { "", -EBADMSG, 0, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                SoftDeadline s = { 1, 1 };
                _cleanup_(freep) char *shown = str_escape(cases[i].text);
                is_int(soft_deadline_parse(cases[i].text, &s), cases[i].r, "parse \"%s\"", shown);
                if (cases[i].r == 0)
                        ok(s.soft_usec == cases[i].soft && s.cgroup_id == cases[i].id, "parse \"%s\": values", shown);
                else
                        ok(s.soft_usec == 1 && s.cgroup_id == 1, "parse \"%s\": *ret untouched", shown);
        }

        char buf[SOFT_DEADLINE_RECORD_MAX];
        SoftDeadline big = { UINT64_MAX, UINT64_MAX }, back;
        int n = soft_deadline_format(&big, buf, sizeof(buf));
        ok(n > 0 && soft_deadline_parse(buf, &back) == 0 && back.soft_usec == UINT64_MAX &&
                   back.cgroup_id == UINT64_MAX,
           "the largest record fits the buffer and parses back");
        is_int(soft_deadline_format(&big, buf, 10), -ENOBUFS, "a short buffer: -ENOBUFS");
}

static void test_files(const char *tmp) {
        _cleanup_(freep) char *dir = soft_deadline_dir(tmp), *path = str_printf("%s/agent-1", dir ? dir : "");
        _cleanup_(freep) char *text = NULL, *list = NULL;
        SoftDeadline s = { 3000000, 77 }, back = {};
        uint64_t written = 0;
        struct stat st;

        if (!dir || !path)
                bail_out("out of memory");
        is_int(soft_deadline_write(tmp, "agent-1", &s), 0, "written, the directory made on the way");
        ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700, "the directory is 0700");
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "the record is 0600");
        ok(read_file_full(path, 100, &text, NULL) == 0 && strcmp(text, "3000000 77\n") == 0, "one line: SOFT_USEC CGROUP_ID");

        s.cgroup_id = 78;
        is_int(soft_deadline_write(tmp, "agent-1", &s), 0, "a later run's record replaces it");
        is_int(test_list_dir(dir, &list), 0, "directory listed");
        is_str(list, "agent-1", "no temporary file left");

        _cleanup_(closep) int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        is_int(soft_deadline_read_at(dfd, "agent-1", &back, &written), 0, "read back");
        ok(back.soft_usec == 3000000 && back.cgroup_id == 78, "read back: the later record");
        ok(stat(path, &st) == 0 && written / 1000000 == (uint64_t) st.st_mtim.tv_sec, "read back: its mtime");
        is_int(soft_deadline_read_at(dfd, "agent-2", &back, NULL), -ENOENT, "no record: -ENOENT");
        is_int(soft_deadline_read_at(dfd, ".agent-1.XYZ", &back, NULL), -EINVAL, "a temporary file's name: -EINVAL");
        is_int(soft_deadline_write(tmp, "../x", &s), -EINVAL, "an invalid name is refused before any path is built");

        is_int(soft_deadline_remove(tmp, "agent-1"), 0, "removed");
        is_int(soft_deadline_remove(tmp, "agent-1"), 0, "removing none is no error");
        ok(access(path, F_OK) < 0 && errno == ENOENT, "the record is gone");
        if (test_write_file(path, "garbage\n", 8) < 0)
                bail_out("cannot write a fixture");
        is_int(soft_deadline_read_at(dfd, "agent-1", &back, NULL), -EBADMSG, "not a record: -EBADMSG");
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();

        test_parse();
        test_files(tmp);
        test_rm_rf(tmp);
        return done_testing();
}
