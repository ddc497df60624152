/* agent_config_write_atomic(): what it writes parses back to the same config,
 * and a failed write leaves neither a temporary file nor a changed file. */

#include <grp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent-config.h"
#include "test-util.h"

static char **strv_of(const char *const *l) {
        char **v = NULL;

        if (strv_copy((char *const *) l, &v) < 0)
                bail_out("out of memory");
        return v;
}

/* A config with every character the format has to quote or escape. */
static AgentConfig *tricky_config(void) {
        static const char *const command[] = {
                "/usr/bin/my agent", "--name=it's", "", "say \"hi\"", "back\\slash", "$HOME", "*", "#not-a-comment",
                ";", "-", "tab\there", "caf\xc3\xa9", "trailing ", NULL,
        };
        static const char *const env[] = {
                "PLAIN=1", "EMPTY=", "SPACES=  inside and before", "QUOTES='\"x\"'", "HASH=#1", "EQ=a=b=c", NULL,
        };
        AgentConfig *c = NULL;

        if (agent_config_new(&c) < 0)
                bail_out("out of memory");
        c->command = strv_of(command);
        c->environment = strv_of(env);
        c->workspace = strdup("/srv/100% sure/%i literally");
        c->disk_max = (50ULL << 20) + 1; /* not a round size: written in bytes */
        c->soft_deadline_usec = 1500000; /* not whole seconds: written in ms */
        c->soft_deadline_set = true;
        if (!c->workspace)
                bail_out("out of memory");
        return c;
}

static AgentConfig *parse_back(const char *dir, const char *name) {
        _cleanup_(freep) char *path = str_printf("%s/%s.conf", dir, name), *error = NULL;
        AgentConfig *c = NULL;

        if (!path || agent_config_new(&c) < 0)
                bail_out("out of memory");
        if (agent_config_parse_file(c, path, name, &error) < 0) {
                diag("  %s", error ? error : "(no message)");
                return agent_config_free(c);
        }
        return c;
}

static void test_round_trip(const char *dir) {
        _cleanup_(agent_config_freep) AgentConfig *c = tricky_config(), *back = NULL, *empty = NULL;
        _cleanup_(freep) char *error = NULL, *path = str_printf("%s/tricky.conf", dir), *list = NULL;
        struct stat st;

        int r = agent_config_write_atomic(dir, "tricky", c, &error);
        if (!is_int(r, 0, "tricky config written"))
                diag("  %s", error ? error : "(no message)");
        back = parse_back(dir, "tricky");
        ok(back && agent_config_equal(c, back), "tricky config parses back the same");
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "file mode 0600");
        is_int(test_list_dir(dir, &list), 0, "directory listed");
        is_str(list, "tricky.conf", "only the file itself in the directory");

        /* Nothing set: nothing but the comment, and nothing back. */
        if (agent_config_new(&empty) < 0)
                bail_out("out of memory");
        is_int(agent_config_write_atomic(dir, "empty", empty, NULL), 0, "empty config written");
        agent_config_free(back);
        back = parse_back(dir, "empty");
        ok(back && agent_config_equal(empty, back), "empty config parses back empty");

        /* SoftDeadlineSec=0 (none) stays set: it must win over the default. */
        empty->soft_deadline_set = true;
        is_int(agent_config_write_atomic(dir, "empty", empty, NULL), 0, "no soft deadline written");
        agent_config_free(back);
        back = parse_back(dir, "empty");
        ok(back && agent_config_equal(empty, back), "no soft deadline parses back as none, set");
}

static void test_fixture_round_trip(const char *dir) {
        static const char *const fixtures[] = { "basic", "whitespace", "quoting", "reset", "percent", "disk-max",
                                                "soft-deadline" };

        for (size_t i = 0; i < ELEMENTSOF(fixtures); i++) {
                _cleanup_(freep) char *rel = str_printf("config/good/%s.conf", fixtures[i]), *error = NULL;
                _cleanup_(freep) char *path = rel ? test_data_path(rel) : NULL;
                _cleanup_(agent_config_freep) AgentConfig *c = NULL, *back = NULL;

                if (!path || agent_config_new(&c) < 0)
                        bail_out("out of memory");
                if (agent_config_parse_file(c, path, "fx", &error) < 0)
                        bail_out("a good fixture does not parse");
                int r = agent_config_write_atomic(dir, "fx", c, &error);
                back = r == 0 ? parse_back(dir, "fx") : NULL;
                ok(back && agent_config_equal(c, back), "%s: parse, write, parse gives the same", rel);
        }
}

static void test_overwrite(const char *dir) {
        _cleanup_(agent_config_freep) AgentConfig *first = tricky_config(), *second = NULL, *back = NULL;
        _cleanup_(freep) char *list = NULL;

        if (agent_config_new(&second) < 0)
                bail_out("out of memory");
        second->command = strv_of((const char *const[]){ "/bin/true", NULL });

        is_int(agent_config_write_atomic(dir, "ow", first, NULL), 0, "overwrite: first version written");
        is_int(agent_config_write_atomic(dir, "ow", second, NULL), 0, "overwrite: second version written");
        back = parse_back(dir, "ow");
        ok(back && agent_config_equal(second, back), "overwrite: the second version is what is read");

        /* A config the format cannot carry is refused before anything is touched. */
        strv_free(second->environment);
        second->environment = strv_of((const char *const[]){ "A=1", "TRAILING=x ", NULL });
        is_int(agent_config_write_atomic(dir, "ow", second, NULL), -EINVAL, "refused: value ending in whitespace");
        agent_config_free(back);
        back = parse_back(dir, "ow");
        ok(back && strv_isempty(back->environment), "refused write: the old file is untouched");
        is_int(test_list_dir(dir, &list), 0, "directory listed");
        is_str(list, "fx.conf ow.conf", "refused write: no temporary file");
}

static void test_refusals(const char *dir) {
        static const struct {
                const char *env;
                const char *word;
                const char *name;
                const char *why;
        } cases[] = {
                { "A=1\n2", NULL, "r", "newline in an Environment= value" },
                { "A=1", "two\nlines", "r", "newline in a Command= word" },
                { "NOVA_AGENT_NAME=x", NULL, "r", "reserved Environment= name" },
                { "1A=x", NULL, "r", "invalid Environment= name" },
                { NULL, NULL, "../r", "invalid agent name" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(agent_config_freep) AgentConfig *c = NULL;
                _cleanup_(freep) char *error = NULL;

                if (agent_config_new(&c) < 0)
                        bail_out("out of memory");
                c->command = strv_of((const char *const[]){ "/bin/true", cases[i].word, NULL });
                if (cases[i].env)
                        c->environment = strv_of((const char *const[]){ cases[i].env, NULL });

                int r = agent_config_write_atomic(dir, cases[i].name, c, &error);
                is_int(r, -EINVAL, "refused: %s", cases[i].why);
                ok(error && !strchr(error, '\n'), "refused: %s: a one-line message", cases[i].why);
        }

        _cleanup_(agent_config_freep) AgentConfig *dup = NULL;
        if (agent_config_new(&dup) < 0)
                bail_out("out of memory");
        dup->environment = strv_of((const char *const[]){ "A=1", "A=2", NULL });
        is_int(agent_config_write_atomic(dir, "r", dup, NULL), -EINVAL, "refused: a KEY twice");
        strv_free(dup->environment);
        dup->environment = NULL;
        dup->soft_deadline_usec = 1500;
        dup->soft_deadline_set = true;
        is_int(agent_config_write_atomic(dir, "r", dup, NULL), -EINVAL, "refused: SoftDeadlineSec= not whole ms");

        _cleanup_(freep) char *list = NULL;
        is_int(test_list_dir(dir, &list), 0, "directory listed");
        is_str(list, "", "refusals wrote nothing");
}

/* Root writes into a read-only directory anyway (CAP_DAC_OVERRIDE), so as
 * root the write runs in a child that became nobody, owning dir (mode 0500,
 * so not writable by its owner either); tmp must let nobody through. */
static int write_unprivileged(const char *tmp, const char *dir, const AgentConfig *c) {
        int status;
        pid_t pid;

        if (geteuid() != 0)
                return agent_config_write_atomic(dir, "a", c, NULL);

        if (chmod(tmp, 0755) < 0 || chown(dir, 65534, 65534) < 0)
                bail_out("cannot hand the scratch directory to nobody");
        pid = fork();
        if (pid < 0)
                bail_out("fork failed");
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(100);
                _exit(-agent_config_write_atomic(dir, "a", c, NULL));
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 100)
                bail_out("the unprivileged child failed");
        if (chown(dir, 0, 0) < 0)
                bail_out("cannot take the scratch directory back");
        return -WEXITSTATUS(status);
}

static void test_failures(const char *tmp) {
        _cleanup_(agent_config_freep) AgentConfig *c = tricky_config();
        _cleanup_(freep) char *error = NULL, *list = NULL, *missing = str_printf("%s/missing", tmp);
        _cleanup_(freep) char *dir = str_printf("%s/fail", tmp), *target = str_printf("%s/fail/a.conf", tmp);

        int r = agent_config_write_atomic(missing, "a", c, &error);
        is_int(r, -ENOENT, "nonexistent directory: -ENOENT");
        ok(error && strstr(error, missing), "nonexistent directory: message names it");

        /* The rename fails (a directory is in the way) after the temporary file
         * was written: the case in which it has to be cleaned up. */
        if (!dir || !target || mkdir(dir, 0755) < 0 || mkdir(target, 0755) < 0)
                bail_out("cannot create scratch directories");
        free(error);
        error = NULL;
        r = agent_config_write_atomic(dir, "a", c, &error);
        ok(r < 0, "rename onto a directory fails (%d)", r);
        ok(error && strstr(error, target), "rename failure: message names the target");
        is_int(test_list_dir(dir, &list), 0, "directory listed");
        is_str(list, "a.conf", "rename failure: no temporary file left");

        free(list);
        list = NULL;
        test_rm_rf(target);
        chmod(dir, 0500);
        r = write_unprivileged(tmp, dir, c);
        is_int(r, -EACCES, "directory not writable: -EACCES");
        chmod(dir, 0755);
        ok(test_list_dir(dir, &list) == 0 && strcmp(list, "") == 0, "not writable: nothing left");
}

int main(void) {
        _cleanup_(freep) char *tmp = test_mkdtemp();
        _cleanup_(freep) char *a = str_printf("%s/a", tmp), *b = str_printf("%s/b", tmp), *d = str_printf("%s/d", tmp);

        if (!a || !b || !d || mkdir(a, 0755) < 0 || mkdir(b, 0755) < 0 || mkdir(d, 0755) < 0)
                bail_out("cannot create scratch directories");

        test_round_trip(a);
        test_fixture_round_trip(b);
        test_overwrite(b);
        test_refusals(d);
        test_failures(tmp);

        test_rm_rf(tmp);
        return done_testing();
}
