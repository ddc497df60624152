#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agent-config.h"
#include "str-util.h"

int agent_config_new(AgentConfig **ret) {
        AgentConfig *c = calloc(1, sizeof(AgentConfig));
        if (!c)
                return -ENOMEM;

        *ret = c;
        return 0;
}

AgentConfig *agent_config_free(AgentConfig *c) {
        if (!c)
                return NULL;

        strv_free(c->command);
        free(c->workspace);
        strv_free(c->environment);
        free(c);
        return NULL;
}

int agent_config_copy(const AgentConfig *c, AgentConfig **ret) {
        _cleanup_(agent_config_freep) AgentConfig *copy = NULL;
        int r;

        r = agent_config_new(&copy);
        if (r < 0)
                return r;

        if (c->command) {
                r = strv_copy(c->command, &copy->command);
                if (r < 0)
                        return r;
        }
        if (c->workspace) {
                copy->workspace = strdup(c->workspace);
                if (!copy->workspace)
                        return -ENOMEM;
        }
        if (c->environment) {
                r = strv_copy(c->environment, &copy->environment);
                if (r < 0)
                        return r;
        }
        copy->disk_max = c->disk_max;
        copy->soft_deadline_usec = c->soft_deadline_usec;
        copy->soft_deadline_set = c->soft_deadline_set;

        *ret = TAKE_PTR(copy);
        return 0;
}

static bool streq_null(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

bool agent_config_equal(const AgentConfig *a, const AgentConfig *b) {
        return strv_equal(a->command, b->command) && streq_null(a->workspace, b->workspace) &&
               strv_equal(a->environment, b->environment) && a->disk_max == b->disk_max &&
               a->soft_deadline_usec == b->soft_deadline_usec && a->soft_deadline_set == b->soft_deadline_set;
}

static int fail(const char **ret_reason, const char *reason) {
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

int agent_config_env_check(const char *assignment, const char **ret_reason) {
        const char *eq = strchr(assignment, '=');

        if (!eq || eq == assignment)
                return fail(ret_reason, "expected KEY=VALUE");

        /* The shell's rule for names, so that every agent's shell can use them. */
        for (const char *p = assignment; p < eq; p++) {
                bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
                if (!alpha && (p == assignment || *p < '0' || *p > '9'))
                        return fail(ret_reason,
                                    "a name is letters, digits and '_', not starting with a digit");
        }

        if (str_has_prefix(assignment, AGENT_CONFIG_RESERVED_PREFIX))
                return fail(ret_reason, "names starting with " AGENT_CONFIG_RESERVED_PREFIX
                                        " are set by the launcher");
        return 0;
}

int agent_config_env_set(char ***env, const char *assignment) {
        size_t keylen = strcspn(assignment, "=");

        char *copy = strdup(assignment);
        if (!copy)
                return -ENOMEM;

        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, keylen + 1) == 0) {
                        free(*e);
                        *e = copy;
                        return 0;
                }

        if (strv_push(env, copy) < 0) {
                free(copy);
                return -ENOMEM;
        }
        return 0;
}

int agent_config_workspace_check(const char *path, const char **ret_reason) {
        size_t n = strlen(path);

        if (path[0] != '/')
                return fail(ret_reason, "not an absolute path");
        if (n >= PATH_MAX)
                return fail(ret_reason, "path too long");
        if (strchr(WHITESPACE, path[n - 1]))
                return fail(ret_reason, "whitespace at the end");

        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return fail(ret_reason, "control characters are not allowed");

        /* "." and ".." would let "/srv/work/../../etc" pass a prefix check
         * that tools or admins might apply to workspaces. */
        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t len = strcspn(p, "/");
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return fail(ret_reason, "\".\" and \"..\" components are not allowed");
                p += len;
        }
        return 0;
}

int agent_config_workspace_expand(const char *value, const char *name, char **ret, const char **ret_reason) {
        /* Every two bytes "%i" become strlen(name) bytes, so strlen(name) + 1
         * bytes per byte of value is always enough. */
        _cleanup_(freep) char *path = malloc(strlen(value) * (strlen(name) + 1) + 1);
        char *t = path;
        int r;

        if (!path)
                return -ENOMEM;

        for (const char *p = value; *p; p++) {
                if (*p != '%') {
                        *t++ = *p;
                        continue;
                }
                p++;
                if (*p == 'i')
                        t = stpcpy(t, name);
                else if (*p == '%')
                        *t++ = '%';
                else if (*p == '\0')
                        return fail(ret_reason, "'%' at the end (write %% for a '%')");
                else
                        return fail(ret_reason, "unknown %-specifier (only %i and %% are known)");
        }
        *t = '\0';

        r = agent_config_workspace_check(path, ret_reason);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(path);
        return 0;
}

int agent_config_disk_max_parse(const char *value, uint64_t *ret, const char **ret_reason) {
        static const char units[] = "KMGT";
        char *end;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *ret = 0;
                return 0;
        }
        if (*value < '0' || *value > '9')
                return fail(ret_reason, "not a size (bytes, or a number with K, M, G or T)");
        errno = 0;
        unsigned long long n = strtoull(value, &end, 10);
        unsigned shift = 0;
        if (*end != '\0') {
                const char *u = strchr(units, *end);
                if (!u || end[1] != '\0')
                        return fail(ret_reason, "not a size (bytes, or a number with K, M, G or T)");
                shift = 10 * (unsigned) (u - units + 1);
        }
        if (errno != 0 || n > (UINT64_MAX >> 1) >> shift)
                return fail(ret_reason, "too large");
        if ((n << shift) < AGENT_CONFIG_DISK_MAX_MIN)
                return fail(ret_reason, "below 1M");
        *ret = n << shift;
        return 0;
}

int agent_config_soft_deadline_parse(const char *value, uint64_t *ret, const char **ret_reason) {
        uint64_t usec;
        int r;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *ret = 0;
                return 0;
        }
        r = parse_duration(value, &usec);
        if (r == -ERANGE)
                return fail(ret_reason, "too large");
        if (r < 0)
                return fail(ret_reason, "not a time span (seconds, or a number with ms, s, min or h)");
        if (usec > 0 && usec < AGENT_CONFIG_SOFT_DEADLINE_MIN_USEC)
                return fail(ret_reason, "below 100ms");
        *ret = usec;
        return 0;
}
