/* agent_config_load(): the three layers in tests/data/config/layers/, and
 * files that only a test writes (overlong lines, NUL bytes, CRLF). */

#include <string.h>

#include "agent-config.h"
#include "test-util.h"

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static bool words_equal(char *const *got, const char *const *want) {
        size_t i = 0;

        for (; got && got[i] && want[i]; i++)
                if (strcmp(got[i], want[i]) != 0)
                        return false;
        return (!got || !got[i]) && !want[i];
}

static char *confdir, *rundir;

static void test_layers(void) {
        _cleanup_(agent_config_freep) AgentConfig *alpha = NULL, *beta = NULL, *epsilon = NULL;
        _cleanup_(freep) char *error = NULL;

        int r = agent_config_load(confdir, rundir, "alpha", &alpha, &error);
        if (is_int(r, 0, "alpha: three layers load")) {
                ok(words_equal(alpha->command, WORDS("/usr/bin/special-agent")),
                   "alpha: Command= of the run file wins");
                is_str(alpha->workspace, "/srv/agents/alpha",
                       "alpha: Workspace= of the agent file, %%i expanded");
                ok(words_equal(alpha->environment,
                               WORDS("SHARED=from-run", "DEFAULT_ONLY=1", "AGENT_ONLY=2")),
                   "alpha: Environment= merged by KEY, later files win");
                is_int((long long) alpha->soft_deadline_usec, 3000000, "alpha: SoftDeadlineSec= of the agent file");
        } else
                diag("  %s", error ? error : "(no message)");

        r = agent_config_load(confdir, rundir, "beta", &beta, NULL);
        if (is_int(r, 0, "beta: only default.conf, the other files missing")) {
                ok(words_equal(beta->command, WORDS("/usr/bin/default-agent", "--flag")),
                   "beta: default Command=");
                is_str(beta->workspace, "/var/lib/nova-agents/workspaces/beta", "beta: default workspace");
                ok(words_equal(beta->environment, WORDS("SHARED=from-default", "DEFAULT_ONLY=1")),
                   "beta: default Environment=");
                ok(beta->soft_deadline_set && beta->soft_deadline_usec == AGENT_CONFIG_SOFT_DEADLINE_DEFAULT_USEC,
                   "beta: no file sets SoftDeadlineSec=: the 15 min default");
        }

        r = agent_config_load(confdir, rundir, "epsilon", &epsilon, NULL);
        if (is_int(r, 0, "epsilon loads")) {
                ok(words_equal(epsilon->environment, WORDS("ONLY=1")),
                   "epsilon: an empty Environment= clears earlier files");
                ok(epsilon->soft_deadline_set && epsilon->soft_deadline_usec == 0,
                   "epsilon: SoftDeadlineSec=0 is none, not the default");
        }
}

static void test_layer_errors(void) {
        AgentConfig *c = NULL;
        _cleanup_(freep) char *error = NULL, *want = NULL;

        int r = agent_config_load(confdir, rundir, "gamma", &c, &error);
        is_int(r, -EINVAL, "gamma: an empty Command= in the agent file leaves none");
        want = str_printf("no Command= for agent gamma in %s/default.conf, %s/agents/gamma.conf or "
                          "%s/gamma.conf", confdir, confdir, rundir);
        is_str(error, want, "gamma: the message names the three files");
        ok(!c, "gamma: *ret untouched");

        free(error);
        error = NULL;
        free(want);
        want = str_printf("%s/delta.conf:2: invalid Workspace= \"relative\": not an absolute path", rundir);
        r = agent_config_load(confdir, rundir, "delta", &c, &error);
        is_int(r, -EINVAL, "delta: an error in the run file fails the load");
        is_str(error, want, "delta: the message names the run file and line");

        free(error);
        error = NULL;
        free(want);
        want = str_printf("no Command= for agent a in /nonexistent/default.conf, /nonexistent/agents/a.conf or "
                          "/nonexistent/run/a.conf");
        r = agent_config_load("/nonexistent", "/nonexistent/run", "a", &c, &error);
        is_int(r, -EINVAL, "no files at all: refused");
        is_str(error, want, "no files at all: message");

        free(error);
        error = NULL;
        r = agent_config_load(confdir, rundir, "../etc/agents/alpha", &c, &error);
        is_int(r, -EINVAL, "a name with '/' is refused before any path is built");
        ok(!c, "invalid name: *ret untouched");
}

static char *write_scratch(const char *dir, const char *fn, const char *data, size_t size) {
        char *path = str_printf("%s/%s", dir, fn);

        if (!path || test_write_file(path, data, size) < 0)
                bail_out("cannot write a scratch file");
        return path;
}

static int parse_scratch(const char *path, AgentConfig **ret, char **ret_error) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;

        if (agent_config_new(&c) < 0)
                bail_out("out of memory");
        int r = agent_config_parse_file(c, path, "a1", ret_error);
        if (r == 0)
                *ret = TAKE_PTR(c);
        return r;
}

static void test_line_length(const char *tmp) {
        /* "Environment=X=" + filler, exactly AGENT_CONFIG_LINE_MAX bytes, then one more. */
        size_t max = AGENT_CONFIG_LINE_MAX;
        _cleanup_(freep) char *line = malloc(max + 3);
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        _cleanup_(freep) char *error = NULL, *want = NULL;

        if (!line)
                bail_out("out of memory");
        memcpy(line, "Environment=X=", 14);
        memset(line + 14, 'y', max - 14);
        line[max] = '\n';

        _cleanup_(freep) char *at_max = write_scratch(tmp, "max.conf", line, max + 1);
        int r = parse_scratch(at_max, &c, &error);
        is_int(r, 0, "a line of exactly %zu bytes is accepted", max);
        ok(c && strv_length(c->environment) == 1 && strlen(c->environment[0]) == max - 12,
           "the long value is kept whole");

        line[max] = 'y';
        line[max + 1] = '\n';
        _cleanup_(freep) char *over = write_scratch(tmp, "over.conf", line, max + 2);
        want = str_printf("%s:1: line longer than %zu bytes", over, max);
        r = parse_scratch(over, &c, &error);
        is_int(r, -EINVAL, "a line of %zu bytes is refused", max + 1);
        is_str(error, want, "overlong line: message");
}

static void test_odd_bytes(const char *tmp) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        _cleanup_(freep) char *error = NULL, *want = NULL;
        static const char nul[] = "Command=/bin/true\nEnvironment=A=1\0B=2\n";
        static const char crlf[] = "# from Windows\r\nCommand=/bin/true x\r\n\r\nEnvironment=A=1\r\n";

        _cleanup_(freep) char *nul_path = write_scratch(tmp, "nul.conf", nul, sizeof(nul) - 1);
        want = str_printf("%s:2: NUL byte in line", nul_path);
        is_int(parse_scratch(nul_path, &c, &error), -EINVAL, "a NUL byte is refused");
        is_str(error, want, "NUL byte: message");

        _cleanup_(freep) char *crlf_path = write_scratch(tmp, "crlf.conf", crlf, sizeof(crlf) - 1);
        if (is_int(parse_scratch(crlf_path, &c, NULL), 0, "CRLF line ends are accepted")) {
                ok(words_equal(c->command, WORDS("/bin/true", "x")), "CRLF: no '\\r' in Command=");
                ok(words_equal(c->environment, WORDS("A=1")), "CRLF: no '\\r' in Environment=");
        }
}

static void test_unreadable(const char *tmp) {
        AgentConfig *c = NULL;
        _cleanup_(freep) char *error = NULL;
        _cleanup_(freep) char *etc = str_printf("%s/etc", tmp), *dir = str_printf("%s/etc/default.conf", tmp);

        /* A directory where default.conf should be: an error, not "missing". */
        if (!etc || !dir || mkdir(etc, 0755) < 0 || mkdir(dir, 0755) < 0)
                bail_out("cannot create scratch directories");
        int r = agent_config_load(etc, tmp, "a1", &c, &error);
        is_int(r, -EISDIR, "default.conf is a directory: -EISDIR, not skipped");
        ok(error && strstr(error, dir), "default.conf is a directory: message names it");
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();

        confdir = test_data_path("config/layers/etc");
        rundir = test_data_path("config/layers/run");

        test_layers();
        test_layer_errors();
        test_line_length(tmp);
        test_odd_bytes(tmp);
        test_unreadable(tmp);

        test_rm_rf(tmp);
        free(confdir);
        free(rundir);
        return done_testing();
}
