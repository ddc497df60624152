/* mkostemp() is a GNU extension; O_CLOEXEC at creation keeps the temporary
 * fd out of children a threaded caller may spawn meanwhile. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-config.h"
#include "agent-name.h"
#include "shell-words.h"
#include "str-util.h"

/* What is wrong with the Environment= entry *e, or NULL. Besides the rules,
 * the parser must give the value back unchanged (it trims the line, and a
 * line ends at '\n'), and a KEY set twice would come back once. */
static const char *env_entry_problem(char *const *env, char *const *e) {
        size_t n = strlen(*e), keylen = strcspn(*e, "=");
        const char *reason = NULL;

        if (agent_config_env_check(*e, &reason) < 0)
                return reason;
        if (strchr(*e, '\n') || strchr(WHITESPACE, (*e)[n - 1]))
                return "the value has a newline or ends in whitespace";
        for (char *const *d = env; d < e; d++)
                if (strncmp(*d, *e, keylen + 1) == 0)
                        return "set twice";
        return NULL;
}

static int env_entry_error(const char *entry, const char *problem, char **ret_error) {
        _cleanup_(freep) char *key = strndup(entry, strcspn(entry, "="));
        _cleanup_(freep) char *k = key ? str_escape(key) : NULL;

        if (!k)
                return -ENOMEM;
        return error_set(ret_error, -EINVAL, "Environment= entry \"%s\": %s", k, problem);
}

/* Refuses what the file format cannot carry, so that write-then-parse always
 * gives c back. */
static int check_representable(const AgentConfig *c, const char *name, char **ret_error) {
        const char *reason = NULL;

        if (!agent_name_is_valid(name))
                return error_set(ret_error, -EINVAL, "invalid agent name");

        for (char **w = c->command; w && *w; w++)
                if (strchr(*w, '\n'))
                        return error_set(ret_error, -EINVAL, "Command= word with a newline");

        if (c->workspace && agent_config_workspace_check(c->workspace, &reason) < 0)
                return error_set(ret_error, -EINVAL, "Workspace=: %s", reason);

        for (char **e = c->environment; e && *e; e++) {
                const char *problem = env_entry_problem(c->environment, e);
                if (problem)
                        return env_entry_error(*e, problem, ret_error);
        }
        return 0;
}

static int serialize(FILE *f, const AgentConfig *c, const char *name) {
        fprintf(f, "# Agent %s, written by nova-agent-host; replaced as a whole on the next write.\n",
                name);

        if (!strv_isempty(c->command)) {
                fputs("Command=", f);
                for (char **w = c->command; *w; w++) {
                        _cleanup_(freep) char *q = shell_word_quote(*w);
                        if (!q)
                                return -ENOMEM;
                        fprintf(f, "%s%s", w == c->command ? "" : " ", q);
                }
                fputc('\n', f);
        }

        if (c->workspace) {
                fputs("Workspace=", f);
                /* The parser expands specifiers, so a literal '%' goes out doubled. */
                for (const char *p = c->workspace; *p; p++) {
                        if (*p == '%')
                                fputc('%', f);
                        fputc(*p, f);
                }
                fputc('\n', f);
        }

        for (char **e = c->environment; e && *e; e++)
                fprintf(f, "Environment=%s\n", *e);

        return ferror(f) ? -ENOMEM : 0;
}

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, buf, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += k;
                n -= (size_t) k;
        }
        return 0;
}

/* The temporary file goes away on every early return; after the rename the
 * pointer is taken, and nothing is unlinked. */
static void unlink_and_freep(char **p) {
        if (*p) {
                (void) unlink(*p);
                free(*p);
        }
}

/* Creates, fills and syncs the temporary file next to the target; on success
 * *ret is its path. */
static int write_temporary(const char *dir, const char *name, const char *text, size_t size,
                           char **ret, char **ret_error) {
        _cleanup_(unlink_and_freep) char *tmp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r;

        /* Hidden and not ending in .conf: never mistaken for a configuration. */
        _cleanup_(freep) char *template = str_printf("%s/.%s.conf.XXXXXX", dir, name);
        if (!template)
                return -ENOMEM;

        fd = mkostemp(template, O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                return error_set(ret_error, r, "%s: cannot create a file: %s", dir, strerror(-r));
        }
        tmp = TAKE_PTR(template);

        /* Explicit, not left to mkostemp() or the umask: Environment= may hold secrets. */
        r = fchmod(fd, 0600) < 0 ? -errno : 0;
        if (r == 0)
                r = write_all(fd, text, size);
        if (r == 0)
                r = fsync(fd) < 0 ? -errno : 0;
        if (r < 0)
                return error_set(ret_error, r, "%s: %s", tmp, strerror(-r));
        /* close() can report a late write error (NFS): checked, not ignored. */
        if (close(TAKE_FD(fd)) < 0) {
                r = -errno;
                return error_set(ret_error, r, "%s: %s", tmp, strerror(-r));
        }

        *ret = TAKE_PTR(tmp);
        return 0;
}

int agent_config_write_atomic(const char *dir, const char *name, const AgentConfig *c, char **ret_error) {
        _cleanup_(freep) char *text = NULL, *path = NULL;
        _cleanup_(unlink_and_freep) char *tmp = NULL;
        _cleanup_(closep) int dfd = -EBADF;
        size_t size = 0;
        int r;

        r = check_representable(c, name, ret_error);
        if (r < 0)
                return r;

        FILE *f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        r = serialize(f, c, name);
        if (fclose(f) != 0 || r < 0)
                return -ENOMEM;

        path = str_printf("%s/%s.conf", dir, name);
        if (!path)
                return -ENOMEM;

        /* Opened first: a missing directory is reported as such, and the fd is
         * what makes the rename durable below. */
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                r = -errno;
                return error_set(ret_error, r, "%s: %s", dir, strerror(-r));
        }

        r = write_temporary(dir, name, text, size, &tmp, ret_error);
        if (r < 0)
                return r;

        if (rename(tmp, path) < 0) {
                r = -errno;
                return error_set(ret_error, r, "%s: cannot replace: %s", path, strerror(-r));
        }
        free(TAKE_PTR(tmp));

        /* Without this a crash can bring the old file back after we reported success. */
        if (fsync(dfd) < 0) {
                r = -errno;
                return error_set(ret_error, r, "%s: written, but syncing the directory failed: %s", path,
                                 strerror(-r));
        }
        return 0;
}
