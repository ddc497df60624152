#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent-name.h"
#include "credential.h"
#include "str-util.h"

bool credential_id_is_valid(const char *id) {
        return agent_name_is_valid(id);
}

void credentials_free(Credential *c, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(c[i].id);
                free(c[i].path);
        }
        free(c);
}

/* Adds or, for an ID already there, replaces: a later directory wins. */
static int credentials_put(Credential **c, size_t *n, const char *dir, const char *file) {
        size_t len = strlen(file) - strlen(CREDENTIAL_SUFFIX);
        char *id = strndup(file, len), *path = str_printf("%s/%s", dir, file);
        size_t i = 0;

        if (!id || !path) {
                free(id);
                free(path);
                return -ENOMEM;
        }
        while (i < *n && strcmp((*c)[i].id, id) != 0)
                i++;
        if (i == *n) {
                Credential *m = realloc(*c, sizeof(Credential) * (*n + 1));
                if (!m) {
                        free(id);
                        free(path);
                        return -ENOMEM;
                }
                *c = m;
                (*n)++;
        } else {
                free((*c)[i].id);
                free((*c)[i].path);
        }
        (*c)[i] = (Credential) { .id = id, .path = path };
        return 0;
}

static int credentials_scan(Credential **c, size_t *n, const char *dir, char **ret_error) {
        struct dirent **entries = NULL;
        int k, r = 0;

        k = scandir(dir, &entries, NULL, alphasort);
        if (k < 0)
                return errno == ENOENT ? 0 : error_set(ret_error, -errno, "%s: %s", dir, strerror(errno));
        for (int i = 0; i < k; i++) {
                const char *f = entries[i]->d_name;
                size_t len = strlen(f), sl = strlen(CREDENTIAL_SUFFIX);

                if (r < 0 || f[0] == '.' || len <= sl || strcmp(f + len - sl, CREDENTIAL_SUFFIX) != 0)
                        continue;
                _cleanup_(freep) char *id = strndup(f, len - sl);
                if (!id)
                        r = -ENOMEM;
                else if (!credential_id_is_valid(id)) {
                        _cleanup_(freep) char *e = str_escape(f);
                        r = e ? error_set(ret_error, -EINVAL, "%s/%s: invalid credential name: " CREDENTIAL_ID_RULE,
                                          dir, e)
                              : -ENOMEM;
                } else
                        r = credentials_put(c, n, dir, f);
        }
        for (int i = 0; i < k; i++)
                free(entries[i]);
        free(entries);
        return r;
}

static int credential_cmp(const void *a, const void *b) {
        return strcmp(((const Credential *) a)->id, ((const Credential *) b)->id);
}

int credential_list(const char *confdir, const char *rundir, const char *name, Credential **ret, size_t *ret_n,
                    char **ret_error) {
        _cleanup_(freep) char *shared = str_printf("%s/" CREDENTIALS_SUBDIR "/shared", confdir);
        _cleanup_(freep) char *agent = str_printf("%s/" CREDENTIALS_SUBDIR "/agents/%s", confdir, name);
        _cleanup_(freep) char *runtime = str_printf("%s/" CREDENTIALS_SUBDIR "/%s", rundir, name);
        Credential *c = NULL;
        size_t n = 0;
        int r = 0;

        if (!shared || !agent || !runtime)
                return -ENOMEM;
        if (!agent_name_is_valid(name))
                return error_set(ret_error, -EINVAL, "invalid agent name");
        const char *dirs[] = { shared, agent, runtime };
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++)
                r = credentials_scan(&c, &n, dirs[i], ret_error);
        if (r < 0) {
                credentials_free(c, n);
                return r;
        }
        if (n > 0)
                qsort(c, n, sizeof(Credential), credential_cmp);
        *ret = c;
        *ret_n = n;
        return 0;
}

int credential_crypt(const char *verb, const char *id, const char *in, int in_fd, int out_fd) {
        _cleanup_(freep) char *name = str_printf("--name=%s", id);
        int status;
        pid_t pid;

        if (!name)
                return -ENOMEM;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* Only the secret's own file descriptors, nothing else of ours. */
                if ((in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) || dup2(out_fd, STDOUT_FILENO) < 0)
                        _exit(127);
                char *argv[] = { (char *) "systemd-creds", (char *) verb, name, (char *) in, (char *) "-", NULL };
                execv(SYSTEMD_CREDS_PATH, argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
