/* The fstab rewriter of nova-setup-host on fixtures (tests/data/setup/fstab/),
 * cross-checked with libmount, and the backup/restore round trip through
 * write_file_atomic(): revert must give the original back byte for byte. */

#include <string.h>
#include <sys/stat.h>

#include "file-util.h"
#include "fstab-rewrite.h"
#include "swap-util.h"
#include "test-util.h"

static char *slurp(const char *rel, size_t *ret_size) {
        _cleanup_(freep) char *path = test_data_path(rel);
        char *text = NULL;

        if (read_file_full(path, 1 << 20, &text, ret_size) < 0)
                bail_out("cannot read a fixture");
        return text;
}

static void test_mixed(void) {
        size_t size, want_size, out_size = 0;
        _cleanup_(freep) char *text = slurp("setup/fstab/mixed.fstab", &size);
        _cleanup_(freep) char *want = slurp("setup/fstab/mixed.expected", &want_size);
        _cleanup_(freep) char *out = NULL, *again = NULL;
        unsigned changed = 0, changed2 = 99;
        size_t again_size = 0;

        is_int(fstab_swap_noauto(text, size, &out, &out_size, &changed), 0, "mixed: rewrite succeeds");
        is_int(changed, 6, "mixed: 6 swap entries changed (UUID=, tab-separated, LABEL=, \\040, bare, indented last)");
        ok(out_size == want_size && memcmp(out, want, want_size) == 0, "mixed: output equals mixed.expected byte for byte");
        ok(out_size > 0 && out[out_size - 1] != '\n', "mixed: the missing final newline stays missing");

        is_int(fstab_swap_noauto(out, out_size, &again, &again_size, &changed2), 0, "mixed: rewriting again succeeds");
        is_int(changed2, 0, "mixed: a second rewrite changes nothing");
        ok(again_size == out_size && memcmp(again, out, out_size) == 0, "mixed: and gives the same bytes");
}

static void test_libmount_agrees(void) {
        _cleanup_(freep) char *path = test_data_path("setup/fstab/mixed.fstab");
        _cleanup_(freep) char *dir = test_mkdtemp(), *tmp = NULL, *text = NULL, *out = NULL, *joined = NULL;
        _cleanup_(strv_freep) char **before = NULL, **after = NULL;
        size_t size, out_size;
        unsigned changed;

        is_int(fstab_swaps_auto(path, &before), 0, "libmount parses mixed.fstab");
        is_int((long long) strv_length(before), 6, "libmount: the same 6 swap entries active at boot");
        ok(before && before[0] && strcmp(before[0], "UUID=5e4bd4c1-6d4e-4a7c-9b0c-6e0b7e3f2a11") == 0,
           "libmount: UUID= source kept as written");
        bool label = false, space = false, bare = false;
        for (char **p = before; p && *p; p++) {
                label |= strcmp(*p, "LABEL=fastswap") == 0;
                space |= strcmp(*p, "/srv/swap files/one") == 0;
                bare |= strcmp(*p, "/swapfile.bare") == 0;
        }
        ok(label, "libmount: LABEL= source listed");
        ok(space, "libmount: \\040 unescaped to a space");
        ok(bare, "libmount: an entry without options is active at boot");

        text = slurp("setup/fstab/mixed.fstab", &size);
        tmp = str_printf("%s/fstab", dir);
        if (!tmp || fstab_swap_noauto(text, size, &out, &out_size, &changed) < 0 ||
            test_write_file(tmp, out, out_size) < 0)
                bail_out("cannot write the rewritten fstab");
        is_int(fstab_swaps_auto(tmp, &after), 0, "libmount parses the rewritten fstab");
        joined = strdup(after && after[0] ? after[0] : "");
        is_str(joined, "", "libmount: no swap entry active at boot after the rewrite");
        test_rm_rf(dir);
}

static void test_no_swap(void) {
        size_t size, out_size = 0;
        _cleanup_(freep) char *text = slurp("setup/fstab/noswap.fstab", &size), *out = NULL;
        unsigned changed = 1;

        is_int(fstab_swap_noauto(text, size, &out, &out_size, &changed), 0, "noswap: rewrite succeeds");
        is_int(changed, 0, "noswap: nothing changed");
        ok(out_size == size && memcmp(out, text, size) == 0, "noswap: identical bytes");
}

static void test_edge_bytes(void) {
        /* A NUL byte is not a field separator, an empty file stays empty, CR stays. */
        static const char nul[] = "/a none swap\0x sw 0 0\n";
        static const char crlf[] = "/b none swap sw 0 0\r\n";
        _cleanup_(freep) char *o1 = NULL, *o2 = NULL, *o3 = NULL;
        size_t n1 = 0, n2 = 0, n3 = 0;
        unsigned c1 = 9, c2 = 9, c3 = 9;

        is_int(fstab_swap_noauto(nul, sizeof nul - 1, &o1, &n1, &c1), 0, "NUL: rewrite succeeds");
        is_int(c1, 0, "NUL: \"swap\\0x\" is not the type swap");
        ok(n1 == sizeof nul - 1 && memcmp(o1, nul, n1) == 0, "NUL: bytes kept, NUL included");
        is_int(fstab_swap_noauto("", 0, &o2, &n2, &c2), 0, "empty file");
        ok(n2 == 0 && c2 == 0, "empty file stays empty");
        is_int(fstab_swap_noauto(crlf, sizeof crlf - 1, &o3, &n3, &c3), 0, "CRLF: rewrite succeeds");
        is_str(o3, "/b none swap sw,noauto 0 0\r\n", "CRLF: noauto goes into the options, the CR stays at the end");
}

static void test_options(void) {
        ok(fstab_options_have("sw,noauto", 9, "noauto"), "options: noauto last");
        ok(fstab_options_have("noauto", 6, "noauto"), "options: noauto alone");
        ok(fstab_options_have("noauto=1,sw", 11, "noauto"), "options: noauto=value");
        ok(!fstab_options_have("x-noauto,sw", 11, "noauto"), "options: x-noauto is another option");
        ok(!fstab_options_have("noautomatic", 11, "noauto"), "options: a longer name is another option");
        ok(!fstab_options_have("sw,noauto", 5, "noauto"), "options: only the first n bytes count");
}

/* What --revert does: the backup written by write_file_atomic() restored over the edited file. */
static void test_round_trip(void) {
        size_t size, out_size, back_size = 0;
        _cleanup_(freep) char *text = slurp("setup/fstab/mixed.fstab", &size), *out = NULL, *back = NULL;
        _cleanup_(freep) char *dir = test_mkdtemp(), *fstab = NULL, *backup = NULL, *list = NULL;
        unsigned changed;
        struct stat st;

        fstab = str_printf("%s/fstab", dir);
        backup = str_printf("%s/fstab.orig", dir);
        if (!fstab || !backup || test_write_file(fstab, text, size) < 0 || chmod(fstab, 0644) < 0 ||
            fstab_swap_noauto(text, size, &out, &out_size, &changed) < 0)
                bail_out("cannot set up the round trip");

        is_int(write_file_atomic(backup, text, size, 0600), 0, "round trip: backup written");
        is_int(write_file_atomic(fstab, out, out_size, 0644), 0, "round trip: edited fstab written");
        is_int(stat(fstab, &st), 0, "round trip: fstab exists");
        is_int(st.st_mode & 07777, 0644, "round trip: fstab keeps mode 0644");
        is_int(write_file_atomic(fstab, text, size, 0644), 0, "round trip: backup restored");
        is_int(read_file_full(fstab, 1 << 20, &back, &back_size), 0, "round trip: read back");
        ok(back_size == size && memcmp(back, text, size) == 0, "round trip: byte-identical to the original");
        is_int(test_list_dir(dir, &list), 0, "round trip: list the directory");
        is_str(list, "fstab fstab.orig", "round trip: no temporary file left behind");
        is_int(write_file_atomic("/nonexistent-dir/fstab", "x", 1, 0644), -ENOENT, "atomic write into a missing directory fails");
        test_rm_rf(dir);
}

/* revert(applied) with the original as the record: applied is what setup
 * wrote, perhaps edited by an admin since. */
static char *revert(const char *original, const char *current, unsigned *restored, unsigned *kept) {
        char *out = NULL;
        size_t size = 0;
        if (fstab_swap_revert(current, strlen(current), original, strlen(original), &out, &size, restored, kept) < 0 ||
            strlen(out) != size)
                bail_out("fstab_swap_revert failed");
        return out;
}

static void test_revert(void) {
        size_t size, applied_size = 0;
        _cleanup_(freep) char *text = slurp("setup/fstab/mixed.fstab", &size);
        _cleanup_(freep) char *applied = NULL, *back = NULL, *edited = NULL, *merged = NULL, *want = NULL;
        _cleanup_(freep) char *kept_text = NULL;
        unsigned restored = 0, kept = 99;

        if (fstab_swap_noauto(text, size, &applied, &applied_size, NULL) < 0)
                bail_out("rewrite failed");
        back = revert(text, applied, &restored, &kept);
        ok(strcmp(back, text) == 0, "revert: nothing else changed -> the original, byte for byte");
        is_int(restored, 6, "revert: the 6 entries setup changed are restored");
        is_int(kept, 0, "revert: none kept");

        /* An admin adds an NFS line and edits a comment after setup. */
        const char *orig = "# /etc/fstab\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n";
        const char *now = "# /etc/fstab (edited)\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw,noauto 0 0\n"
                          "nas:/export /mnt/nas nfs defaults 0 0\n";
        merged = revert(orig, now, &restored, &kept);
        is_str(merged,
               "# /etc/fstab (edited)\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n"
               "nas:/export /mnt/nas nfs defaults 0 0\n",
               "revert: the admin's new line and edit stay, only setup's noauto goes");
        is_int(restored, 1, "revert: one entry restored");

        /* The admin changed setup's line itself: theirs wins, and it is counted. */
        kept_text = revert(orig, "# /etc/fstab\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw,noauto,pri=5 0 0\n",
                           &restored, &kept);
        is_str(kept_text, "# /etc/fstab\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw,noauto,pri=5 0 0\n",
               "revert: a line the admin changed since is left as the admin wrote it");
        ok(restored == 0 && kept == 1, "revert: counted as kept, not restored");

        /* The same swap line twice: each of setup's copies goes back once. */
        edited = revert("/a none swap sw 0 0\n/a none swap sw 0 0\n",
                        "/a none swap sw,noauto 0 0\nnew\n/a none swap sw,noauto 0 0\n", &restored, &kept);
        is_str(edited, "/a none swap sw 0 0\nnew\n/a none swap sw 0 0\n", "revert: duplicate lines each restored");
        /* A noauto line the admin added (not setup's) stays noauto. */
        want = revert("/a none swap sw 0 0\n", "/a none swap sw,noauto 0 0\n/b none swap sw,noauto 0 0\n", &restored,
                      &kept);
        is_str(want, "/a none swap sw 0 0\n/b none swap sw,noauto 0 0\n", "revert: an admin's own noauto line stays");
}

int main(void) {
        test_mixed();
        test_libmount_agrees();
        test_no_swap();
        test_edge_bytes();
        test_options();
        test_round_trip();
        test_revert();
        return done_testing();
}
