/* The configuration parser and loader on the files in tests/data/config/. */

#include <string.h>

#include "agent-config.h"
#include "test-util.h"

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static bool words_equal(char *const *got, const char *const *want) {
        size_t i = 0;

        for (; got && got[i] && want[i]; i++)
                if (strcmp(got[i], want[i]) != 0)
                        return false;
        return (!got || !got[i]) && !want[i];
}

static void diag_words(const char *what, char *const *words) {
        diag("  %s:", what);
        for (char *const *w = words; w && *w; w++)
                diag("    [%s]", *w);
}

static void check_config(const AgentConfig *c, const char *const *command, const char *workspace,
                         const char *const *env, const char *what) {
        if (!ok(words_equal(c->command, command), "%s: Command=", what))
                diag_words("got", c->command);
        is_str(c->workspace, workspace, "%s: Workspace=", what);
        if (!ok(words_equal(c->environment, env), "%s: Environment=", what))
                diag_words("got", c->environment);
}

/* Parses one fixture into a fresh config; NULL (and a failed test) on error. */
static AgentConfig *parse_fixture(const char *rel, const char *name) {
        _cleanup_(freep) char *path = test_data_path(rel), *error = NULL;
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;

        if (agent_config_new(&c) < 0)
                bail_out("out of memory");
        int r = agent_config_parse_file(c, path, name, &error);
        if (!is_int(r, 0, "%s parses", rel)) {
                diag("  %s", error ? error : "(no message)");
                return NULL;
        }
        return TAKE_PTR(c);
}

static void test_good_files(void) {
        _cleanup_(agent_config_freep) AgentConfig *basic = parse_fixture("config/good/basic.conf", "a1");
        if (basic)
                check_config(basic, WORDS("/usr/local/bin/my-agent", "--task-queue", "/srv/queue"),
                             "/srv/work/a1", WORDS("RUST_LOG=info", "EMPTY=", "WITH_EQUALS=a=b"), "basic");

        _cleanup_(agent_config_freep) AgentConfig *ws = parse_fixture("config/good/whitespace.conf", "a2");
        if (ws)
                check_config(ws, WORDS("/bin/true", "--flag"), "/srv/with space/a2",
                             WORDS("GREETING=hello  world", "LAST=no newline"), "whitespace and comments");

        _cleanup_(agent_config_freep) AgentConfig *q = parse_fixture("config/good/quoting.conf", "a3");
        if (q)
                check_config(q,
                             WORDS("/bin/echo", "single  \"quoted\"", "double \"quoted\" \\ $HOME", "back slash",
                                   "mixedquoted", "", "", "it's", "a\\nb"),
                             NULL, NONE, "quoting");

        _cleanup_(agent_config_freep) AgentConfig *reset = parse_fixture("config/good/reset.conf", "a4");
        if (reset)
                check_config(reset, WORDS("/bin/true"), NULL, WORDS("C=5", "D=4"), "empty values reset");

        _cleanup_(agent_config_freep) AgentConfig *pct = parse_fixture("config/good/percent.conf", "a.5");
        if (pct)
                check_config(pct, NONE, "/srv/a.5/100%/a.5-x", NONE, "%i and %%");

        /* A line ends at "\n", "\r\n" or a lone "\r": read as one line, a CR-only
         * file would turn every later key into words of its first value. */
        _cleanup_(agent_config_freep) AgentConfig *cr = parse_fixture("config/good/cr-only.conf", "a6");
        if (cr)
                check_config(cr, WORDS("/bin/true", "--flag"), "/srv/work/a6", WORDS("A=1", "B=2"), "CR line ends");
        _cleanup_(agent_config_freep) AgentConfig *crlf = parse_fixture("config/good/crlf.conf", "a7");
        if (crlf)
                check_config(crlf, WORDS("/bin/true", "--flag"), "/srv/work/a7", WORDS("A=1", "B=2"), "CRLF line ends");
}

static const struct {
        const char *file;
        unsigned line;
        const char *message;
} bad[] = {
        { "unknown-key.conf", 3, "unknown key \"Comand\"" },
        { "lower-case-key.conf", 1, "unknown key \"command\"" },
        { "no-equals.conf", 2, "missing '=' (expected Key=Value)" },
        { "empty-key.conf", 1, "missing key before '='" },
        { "single-quote.conf", 1, "invalid Command=: unterminated single quote" },
        { "double-quote.conf", 1, "invalid Command=: unterminated double quote" },
        { "backslash.conf", 1, "invalid Command=: backslash at the end" },
        { "ws-relative.conf", 1, "invalid Workspace= \"srv/%i\": not an absolute path" },
        { "ws-dotdot.conf", 1,
          "invalid Workspace= \"/srv/work/../../etc\": \".\" and \"..\" components are not allowed" },
        { "ws-dot.conf", 1,
          "invalid Workspace= \"/srv/./work\": \".\" and \"..\" components are not allowed" },
        { "ws-specifier.conf", 1,
          "invalid Workspace= \"/srv/%n\": unknown %-specifier (only %i and %% are known)" },
        { "ws-percent-end.conf", 1, "invalid Workspace= \"/srv/100%\": '%' at the end (write %% for a '%')" },
        { "env-digit.conf", 1,
          "invalid Environment= entry \"1FOO\": a name is letters, digits and '_', not starting with a digit" },
        { "env-dash.conf", 1,
          "invalid Environment= entry \"FOO-BAR\": a name is letters, digits and '_', not starting with a digit" },
        { "env-reserved.conf", 1,
          "invalid Environment= entry \"NOVA_AGENT_NAME\": names starting with NOVA_AGENT_ are set by the launcher" },
        { "env-no-equals.conf", 1, "invalid Environment= entry \"FOO\": expected KEY=VALUE" },
        { "disk-max.conf", 2, "invalid DiskMax= \"50MB\": not a size (bytes, or a number with K, M, G or T)" },
        { "soft-deadline.conf", 2,
          "invalid SoftDeadlineSec= \"15 min\": not a time span (seconds, or a number with ms, s, min or h)" },
};

/* Each bad file fails with "PATH:LINE: message", and leaves the config as it was. */
static void test_bad_files(void) {
        _cleanup_(agent_config_freep) AgentConfig *before = parse_fixture("config/good/basic.conf", "a1");
        if (!before)
                bail_out("cannot parse config/good/basic.conf");

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(agent_config_freep) AgentConfig *c = NULL;
                _cleanup_(freep) char *rel = str_printf("config/bad/%s", bad[i].file);
                _cleanup_(freep) char *path = rel ? test_data_path(rel) : NULL, *error = NULL, *want = NULL;

                if (!path || agent_config_copy(before, &c) < 0)
                        bail_out("out of memory");
                want = str_printf("%s:%u: %s", path, bad[i].line, bad[i].message);

                int r = agent_config_parse_file(c, path, "a1", &error);
                is_int(r, -EINVAL, "%s is refused", bad[i].file);
                is_str(error, want, "%s: message", bad[i].file);
                ok(agent_config_equal(c, before), "%s: config unchanged", bad[i].file);
        }
}

static void test_disk_max(void) {
        static const struct {
                const char *value;
                int r;
                unsigned long long bytes;
                const char *reason;
        } cases[] = {
                { "", 0, 0, NULL },
                { "infinity", 0, 0, NULL },
                { "50M", 0, 50ULL << 20, NULL },
                { "1048576", 0, 1048576, NULL },
                { "1024K", 0, 1ULL << 20, NULL },
                { "2G", 0, 2ULL << 30, NULL },
                { "3T", 0, 3ULL << 40, NULL },
                { "1048575", -EINVAL, 0, "below 1M" },
                { "0", -EINVAL, 0, "below 1M" },
                { "-5M", -EINVAL, 0, "not a size (bytes, or a number with K, M, G or T)" },
                { "5.5G", -EINVAL, 0, "not a size (bytes, or a number with K, M, G or T)" },
                { "5m", -EINVAL, 0, "not a size (bytes, or a number with K, M, G or T)" },
                { "5MM", -EINVAL, 0, "not a size (bytes, or a number with K, M, G or T)" },
                { "9000000T", -EINVAL, 0, "too large" },
                { "99999999999999999999", -EINVAL, 0, "too large" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t v = 12345;
                const char *reason = NULL;
                is_int(agent_config_disk_max_parse(cases[i].value, &v, &reason), cases[i].r, "DiskMax=%s", cases[i].value);
                if (cases[i].r == 0)
                        is_int((long long) v, (long long) cases[i].bytes, "DiskMax=%s: bytes", cases[i].value);
                else
                        is_str(reason, cases[i].reason, "DiskMax=%s: reason", cases[i].value);
        }
        _cleanup_(agent_config_freep) AgentConfig *d = parse_fixture("config/good/disk-max.conf", "a6");
        if (d)
                is_int((long long) d->disk_max, 50LL << 20, "disk-max.conf: the last DiskMax= wins");
}

static void test_soft_deadline(void) {
        static const char span[] = "not a time span (seconds, or a number with ms, s, min or h)";
        static const struct {
                const char *value;
                int r;
                unsigned long long usec;
                const char *reason;
        } cases[] = {
                { "", 0, 0, NULL },
                { "0", 0, 0, NULL },
                { "infinity", 0, 0, NULL },
                { "900", 0, 900000000ULL, NULL },
                { "3s", 0, 3000000ULL, NULL },
                { "15min", 0, 900000000ULL, NULL },
                { "1h", 0, 3600000000ULL, NULL },
                { "500ms", 0, 500000ULL, NULL },
                { "100ms", 0, 100000ULL, NULL },
                { "99ms", -EINVAL, 0, "below 100ms" },
                { "15 min", -EINVAL, 0, span },
                { "-3s", -EINVAL, 0, span },
                { "1.5s", -EINVAL, 0, span },
                { "3d", -EINVAL, 0, span },
                { "infinite", -EINVAL, 0, span },
                { "99999999999999999999", -EINVAL, 0, "too large" },
                { "9999999999999999h", -EINVAL, 0, "too large" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t v = 12345;
                const char *reason = NULL;
                is_int(agent_config_soft_deadline_parse(cases[i].value, &v, &reason), cases[i].r,
                       "SoftDeadlineSec=%s", cases[i].value);
                if (cases[i].r == 0)
                        is_int((long long) v, (long long) cases[i].usec, "SoftDeadlineSec=%s: usec", cases[i].value);
                else
                        is_str(reason, cases[i].reason, "SoftDeadlineSec=%s: reason", cases[i].value);
        }
        _cleanup_(agent_config_freep) AgentConfig *d = parse_fixture("config/good/soft-deadline.conf", "a7");
        if (d)
                ok(d->soft_deadline_set && d->soft_deadline_usec == 3000000,
                   "soft-deadline.conf: the last SoftDeadlineSec= wins, an empty one in between did not stick");
        _cleanup_(agent_config_freep) AgentConfig *b = parse_fixture("config/good/basic.conf", "a1");
        if (b)
                ok(!b->soft_deadline_set && b->soft_deadline_usec == 0, "a file without the key leaves it unset");
}

static void test_missing_file(void) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        _cleanup_(freep) char *path = test_data_path("config/does-not-exist.conf"), *error = NULL;

        if (agent_config_new(&c) < 0)
                bail_out("out of memory");
        is_int(agent_config_parse_file(c, path, "a1", &error), -ENOENT, "missing file: -ENOENT");
        ok(error && strstr(error, path), "missing file: message names the path");
}

int main(void) {
        test_good_files();
        test_bad_files();
        test_disk_max();
        test_soft_deadline();
        test_missing_file();
        return done_testing();
}
