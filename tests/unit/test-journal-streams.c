/* journal-streams.h: journald's cap by version, the agents' share, the
 * running systemd's version from PID 1's maps, and the count of streams
 * journald keeps state files for (on scratch copies shaped like the real). */

#include <errno.h>

#include "journal-streams.h"
#include "test-util.h"

/* Lines as in PID 1's maps on Debian 12 (252) and 13 (257), and a Fedora-style tag. */
#define LIBC "7f2c1a000000-7f2c1a028000 r--p 00000000 fe:01 1835 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
#define SHARED(path) "7f2c1b000000-7f2c1b0a0000 r-xp 00000000 fe:01 4242 " path "\n"

static void maps_case(const char *root, const char *text, int want_r, unsigned want, const char *what) {
        _cleanup_(freep) char *dir = str_printf("%s/1", root), *path = str_printf("%s/1/maps", root);
        unsigned v = 0;

        (void) mkdir(dir, 0755);
        if (test_write_file(path, text, strlen(text)) < 0)
                bail_out("cannot write a maps fixture");
        is_int(systemd_version_running(root, &v), want_r, "%s: result", what);
        if (want_r == 0)
                is_int(v, want, "%s: version %u", what, want);
}

static void test_version(void) {
        _cleanup_(freep) char *root = test_mkdtemp();

        maps_case(root, LIBC SHARED("/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so") LIBC, 0, 252,
                  "Debian 12");
        maps_case(root, LIBC SHARED("/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so"), 0, 257, "Debian 13");
        maps_case(root, SHARED("/usr/lib64/systemd/libsystemd-shared-256.11-1.fc41.so"), 0, 256, "a release tag");
        maps_case(root, LIBC, -ENOENT, 0, "no libsystemd-shared mapped");
        maps_case(root, SHARED("/usr/lib/systemd/libsystemd-shared-.so"), -ENOENT, 0, "no number");
        maps_case(root, SHARED("/usr/lib/systemd/libsystemd-shared-25x.so"), -ENOENT, 0, "a number followed by junk");
        maps_case(root, "", -ENOENT, 0, "an empty maps");
        is_int(systemd_version_running("/nonexistent-nova-root", &(unsigned) { 0 }), -ENOENT, "no such root: -ENOENT");
        test_rm_rf(root);
}

static void test_count(void) {
        _cleanup_(freep) char *dir = test_mkdtemp();
        static const char *const names[] = { "0:1234", "0:1235", "0:99999", ".#0:1236abcdef" };
        unsigned n = 42;

        is_int(journal_streams_count(dir, &n), 0, "an empty directory");
        is_int(n, 0, "holds no stream");
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_(freep) char *p = str_printf("%s/%s", dir, names[i]);
                if (test_write_file(p, "PRIORITY=6\n", 11) < 0)
                        bail_out("cannot write a stream fixture");
        }
        is_int(journal_streams_count(dir, &n), 0, "three streams and journald's temporary file");
        is_int(n, 3, "the temporary file is not a stream");
        n = 42;
        is_int(journal_streams_count("/nonexistent-nova-dir", &n), -ENOENT, "a missing directory: -ENOENT");
        is_int(n, 42, "and *ret untouched");
        test_rm_rf(dir);
}

int main(void) {
        is_int(journal_streams_max(252), 4096, "systemd 252: 4,096 streams");
        is_int(journal_streams_max(257), 4096, "systemd 257: still 4,096 (measured in novactl-basic.vmt)");
        is_int(journal_streams_max(258), 65536, "systemd 258: 65,536");
        is_int(journal_streams_for_agents(4096), 3968, "agents may take 3,968 of 4,096 (128 kept)");
        is_int(journal_streams_for_agents(65536), 63488, "and 63,488 of 65,536");
        test_version();
        test_count();
        return done_testing();
}
