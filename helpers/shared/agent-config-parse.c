#include <errno.h>
#include <string.h>

#include "agent-config.h"
#include "agent-name.h"
#include "shell-words.h"
#include "str-util.h"

/* Where a line came from, for "PATH:LINE: …" messages. */
typedef struct Line {
        const char *path;
        unsigned number;
        const char *name;
        char **ret_error;
} Line;

static int line_error(const Line *l, int r, const char *format, ...) _printf_(3, 4);
static int line_error(const Line *l, int r, const char *format, ...) {
        _cleanup_(freep) char *what = NULL;
        va_list ap;

        va_start(ap, format);
        what = str_vprintf(format, ap);
        va_end(ap);
        if (!what)
                return -ENOMEM;

        return error_set(l->ret_error, r, "%s:%u: %s", l->path, l->number, what);
}

static int parse_command(AgentConfig *c, const char *value, const Line *l) {
        char **words = NULL;
        const char *reason = NULL;
        int r;

        /* Empty: back to unset, so a later file can drop an earlier Command=. */
        if (*value != '\0') {
                r = shell_words_split(value, &words, &reason);
                if (r == -EINVAL)
                        return line_error(l, r, "invalid Command=: %s", reason);
                if (r < 0)
                        return r;
        }

        strv_free(c->command);
        c->command = words;
        return 0;
}

static int parse_workspace(AgentConfig *c, const char *value, const Line *l) {
        char *path = NULL;
        const char *reason = NULL;
        int r;

        if (*value != '\0') {
                r = agent_config_workspace_expand(value, l->name, &path, &reason);
                if (r == -EINVAL) {
                        _cleanup_(freep) char *v = str_escape(value);
                        if (!v)
                                return -ENOMEM;
                        return line_error(l, r, "invalid Workspace= \"%s\": %s", v, reason);
                }
                if (r < 0)
                        return r;
        }

        free(c->workspace);
        c->workspace = path;
        return 0;
}

static int parse_environment(AgentConfig *c, const char *value, const Line *l) {
        const char *reason = NULL;
        int r;

        if (*value == '\0') {
                c->environment = strv_free(c->environment);
                return 0;
        }

        r = agent_config_env_check(value, &reason);
        if (r == -EINVAL) {
                /* Only the name goes into the message: values may be secrets, and
                 * the message lands in the journal. */
                _cleanup_(freep) char *key = strndup(value, strcspn(value, "="));
                _cleanup_(freep) char *k = key ? str_escape(key) : NULL;
                if (!k)
                        return -ENOMEM;
                return line_error(l, r, "invalid Environment= entry \"%s\": %s", k, reason);
        }
        if (r < 0)
                return r;

        return agent_config_env_set(&c->environment, value);
}

/* "invalid KEY= "VALUE": reason" at the line, the value escaped. */
static int value_error(const Line *l, const char *key, const char *value, const char *reason) {
        _cleanup_(freep) char *v = str_escape(value);

        if (!v)
                return -ENOMEM;
        return line_error(l, -EINVAL, "invalid %s= \"%s\": %s", key, v, reason);
}

static int parse_disk_max(AgentConfig *c, const char *value, const Line *l) {
        const char *reason = NULL;

        if (agent_config_disk_max_parse(value, &c->disk_max, &reason) < 0)
                return value_error(l, "DiskMax", value, reason);
        return 0;
}

static int parse_soft_deadline(AgentConfig *c, const char *value, const Line *l) {
        const char *reason = NULL;

        if (agent_config_soft_deadline_parse(value, &c->soft_deadline_usec, &reason) < 0)
                return value_error(l, "SoftDeadlineSec", value, reason);
        c->soft_deadline_set = true;
        return 0;
}

static const struct {
        const char *key;
        int (*parse)(AgentConfig *c, const char *value, const Line *l);
} keys[] = {
        { "Command", parse_command },
        { "Workspace", parse_workspace },
        { "Environment", parse_environment },
        { "DiskMax", parse_disk_max },
        { "SoftDeadlineSec", parse_soft_deadline },
};

static int parse_line(AgentConfig *c, char *line, const Line *l) {
        char *s = str_strip(line);

        if (*s == '\0' || *s == '#' || *s == ';')
                return 0;

        char *eq = strchr(s, '=');
        if (!eq)
                return line_error(l, -EINVAL, "missing '=' (expected Key=Value)");
        *eq = '\0';

        const char *key = str_strip(s), *value = str_strip(eq + 1);
        if (*key == '\0')
                return line_error(l, -EINVAL, "missing key before '='");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(key, keys[i].key) == 0)
                        return keys[i].parse(c, value, l);

        _cleanup_(freep) char *k = str_escape(key);
        if (!k)
                return -ENOMEM;
        return line_error(l, -EINVAL, "unknown key \"%s\"", k);
}

/* Reads one line without its end ("\n", "\r\n" or a lone "\r", as str_line_cut()
 * splits text) into buf (AGENT_CONFIG_LINE_MAX + 1 bytes).
 * Returns 1 for a line, 0 at the end, -E2BIG for an overlong line, -EBADMSG
 * for a NUL byte (which would silently cut the line short), or a read error. */
static int read_line(FILE *f, char *buf) {
        size_t n = 0;
        int ch;

        for (;;) {
                errno = 0;
                ch = getc(f);
                if (ch == EOF) {
                        if (ferror(f))
                                return errno > 0 ? -errno : -EIO;
                        if (n == 0)
                                return 0;
                        break;
                }
                if (ch == '\n')
                        break;
                if (ch == '\r') {
                        ch = getc(f);
                        if (ch != '\n' && ch != EOF)
                                ungetc(ch, f);
                        break;
                }
                if (ch == '\0')
                        return -EBADMSG;
                if (n >= AGENT_CONFIG_LINE_MAX)
                        return -E2BIG;
                buf[n++] = (char) ch;
        }

        buf[n] = '\0';
        return 1;
}

static int parse_stream(AgentConfig *c, FILE *f, Line *l) {
        _cleanup_(freep) char *buf = malloc(AGENT_CONFIG_LINE_MAX + 1);
        int r;

        if (!buf)
                return -ENOMEM;

        for (l->number = 1;; l->number++) {
                r = read_line(f, buf);
                if (r == 0)
                        return 0;
                if (r == -E2BIG)
                        return line_error(l, -EINVAL, "line longer than %d bytes", AGENT_CONFIG_LINE_MAX);
                if (r == -EBADMSG)
                        return line_error(l, -EINVAL, "NUL byte in line");
                if (r < 0)
                        return error_set(l->ret_error, r, "%s: read failed: %s", l->path, strerror(-r));

                r = parse_line(c, buf, l);
                if (r < 0)
                        return r;
        }
}

int agent_config_parse_file(AgentConfig *c, const char *path, const char *name, char **ret_error) {
        _cleanup_(agent_config_freep) AgentConfig *work = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        Line l = { .path = path, .name = name, .ret_error = ret_error };
        int r;

        if (!agent_name_is_valid(name))
                return error_set(ret_error, -EINVAL, "%s: invalid agent name", path);

        f = fopen(path, "re");
        if (!f) {
                r = -errno;
                return error_set(ret_error, r, "%s: %s", path, strerror(-r));
        }

        /* Applied to a copy: a file that fails half-way leaves c as it was. */
        r = agent_config_copy(c, &work);
        if (r < 0)
                return r;

        r = parse_stream(work, f, &l);
        if (r < 0)
                return r;

        /* Swap the contents; the old ones go with work. */
        AgentConfig old = *c;
        *c = *work;
        *work = old;
        return 0;
}
