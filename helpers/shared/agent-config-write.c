#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-config.h"
#include "agent-name.h"
#include "file-util.h"
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

        if (c->disk_max > 0 && c->disk_max < AGENT_CONFIG_DISK_MAX_MIN)
                return error_set(ret_error, -EINVAL, "DiskMax=: below 1M");
        /* The parser's smallest unit is the millisecond. */
        if (c->soft_deadline_usec % 1000 != 0 ||
            (c->soft_deadline_usec > 0 && c->soft_deadline_usec < AGENT_CONFIG_SOFT_DEADLINE_MIN_USEC))
                return error_set(ret_error, -EINVAL, "SoftDeadlineSec=: not whole milliseconds of at least 100ms");
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
        if (c->disk_max > 0)
                fprintf(f, "DiskMax=%llu\n", (unsigned long long) c->disk_max);
        if (c->soft_deadline_set && c->soft_deadline_usec == 0)
                fputs("SoftDeadlineSec=infinity\n", f);
        else if (c->soft_deadline_set)
                fprintf(f, "SoftDeadlineSec=%llums\n", (unsigned long long) (c->soft_deadline_usec / 1000));

        return ferror(f) ? -ENOMEM : 0;
}

int agent_config_write_atomic(const char *dir, const char *name, const AgentConfig *c, char **ret_error) {
        _cleanup_(freep) char *text = NULL, *path = NULL;
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

        /* 0600, explicitly: Environment= may hold secrets. */
        r = write_file_atomic(path, text, size, 0600);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, r, "%s: %s", path, strerror(-r));
        return 0;
}
