/* credential_list(): which encrypted credential files an agent gets, on
 * scratch directories (the decryption itself is systemd-creds', tested in
 * the VM: tests/vm/secrets.vmt). */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credential.h"
#include "test-util.h"

static void touch(const char *root, const char *rel) {
        _cleanup_(freep) char *path = str_printf("%s/%s", root, rel);
        char *slash = path ? strrchr(path, '/') : NULL;
        if (!path)
                bail_out("out of memory");
        /* mkdir -p of the parent */
        for (char *p = strchr(path + strlen(root) + 1, '/'); p && p <= slash; p = strchr(p + 1, '/')) {
                *p = '\0';
                (void) mkdir(path, 0700);
                *p = '/';
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                bail_out("cannot create a fixture file");
        close(fd);
}

int main(void) {
        _cleanup_(freep) char *root = test_mkdtemp();
        _cleanup_(freep) char *conf = str_printf("%s/etc", root), *run = str_printf("%s/run", root);
        _cleanup_(freep) char *error = NULL;
        Credential *c = NULL;
        size_t n = 99;

        ok(credential_id_is_valid("api-token") && credential_id_is_valid("a.b_c"), "IDs: plain names are valid");
        ok(!credential_id_is_valid("..") && !credential_id_is_valid("a/b") && !credential_id_is_valid(".x") &&
                   !credential_id_is_valid(""),
           "IDs: '..', '/', hidden and empty are not");

        is_int(credential_list(conf, run, "a1", &c, &n, &error), 0, "no directories: no credentials");
        is_int((long long) n, 0, "no directories: none listed");
        credentials_free(c, n);

        if (mkdir(conf, 0700) < 0 || mkdir(run, 0700) < 0)
                bail_out("cannot create the fixture directories");
        touch(conf, "credentials/shared/token.cred");
        touch(conf, "credentials/shared/db.cred");
        touch(conf, "credentials/shared/README");
        touch(conf, "credentials/agents/a1/token.cred");
        touch(conf, "credentials/agents/a2/other.cred");
        touch(run, "credentials/a1/db.cred");
        touch(run, "credentials/a1/.db.cred.tmp");
        is_int(credential_list(conf, run, "a1", &c, &n, &error), 0, "layers: listed");
        if (is_int((long long) n, 2, "layers: db and token, nothing else (no README, no hidden file, no a2's)")) {
                is_str(c[0].id, "db", "layers: sorted by ID");
                ok(strstr(c[0].path, "/run/credentials/a1/db.cred") != NULL,
                   "layers: the runtime file wins over the shared one");
                is_str(c[1].id, "token", "layers: token");
                ok(strstr(c[1].path, "/etc/credentials/agents/a1/token.cred") != NULL,
                   "layers: the agent's own file wins over the shared one");
        }
        credentials_free(c, n);

        is_int(credential_list(conf, run, "a2", &c, &n, &error), 0, "another agent: listed");
        is_int((long long) n, 3, "another agent: the shared two and its own");
        credentials_free(c, n);

        touch(conf, "credentials/agents/a1/-bad.cred");
        c = NULL;
        n = 99;
        is_int(credential_list(conf, run, "a1", &c, &n, &error), -EINVAL, "a bad ID is refused");
        ok(error && strstr(error, "/credentials/agents/a1/-bad.cred: invalid credential name"), "with its path");
        ok(c == NULL && n == 99, "a refusal returns nothing");
        is_int(credential_list(conf, run, "../a1", &c, &n, NULL), -EINVAL, "an invalid agent name is refused");

        test_rm_rf(root);
        return done_testing();
}
