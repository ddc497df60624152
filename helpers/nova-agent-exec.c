/* nova-agent-exec: ExecStartPre= and ExecStart= of nova-agent@NAME.service.
 *
 *   nova-agent-exec --check NAME   checks the name, the configuration and the
 *                                  workspace; prints one line about the agent
 *   nova-agent-exec --prepare NAME the same, then writes the merged
 *                                  configuration into $RUNTIME_DIRECTORY,
 *                                  owned by that directory's owner
 *   nova-agent-exec NAME           checks the same, enters the workspace, sets
 *                                  the environment and execs Command=, which
 *                                  becomes the unit's main process
 *
 * Why --prepare: the agent runs as an unprivileged DynamicUser= user, which
 * cannot read the root-only runtime file (it may hold secrets, and other
 * agents must not see it). The unit runs --prepare with full privileges
 * (ExecStartPre=+) and the unprivileged launcher then reads only the merged
 * file in its own RuntimeDirectory=.
 *
 * Exit status (also in --help). Each failure class has its own value, so that
 * "status=N" in `systemctl status` already says what is wrong:
 *   0    success (--check, --help)
 *   1    internal error (out of memory, …)
 *   2    usage error, or an invalid agent name
 *   3    configuration missing or invalid
 *   4    workspace missing or not a directory
 *   126  the command was found but cannot be executed
 *   127  the command was not found
 * 126 and 127 are what a shell returns in the same two cases.
 *
 * Errors are one line on stderr, which systemd sends to the journal. */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-config.h"
#include "agent-name.h"
#include "cgroup-util.h"
#include "shell-words.h"
#include "str-util.h"

enum {
        EXIT_USAGE = 2,
        EXIT_CONFIG = 3,
        EXIT_WORKSPACE = 4,
        EXIT_CANNOT_EXECUTE = 126,
        EXIT_NOT_FOUND = 127,
};

static bool arg_check = false;
static bool arg_prepare = false;
static const char *arg_name = NULL;

static void log_error(const char *format, ...) _printf_(1, 2);
static void log_error(const char *format, ...) {
        va_list ap;

        fputs("nova-agent-exec: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static int log_oom(void) {
        log_error("out of memory");
        return -ENOMEM;
}

static int help(void) {
        printf("Usage: nova-agent-exec [--check] NAME\n"
               "\n"
               "Start agent NAME (ExecStart= of nova-agent@NAME.service): enter its\n"
               "workspace, set its environment and execute its command.\n"
               "\n"
               "  --check     only validate the name, configuration and workspace\n"
               "  --prepare   validate, then write the merged configuration to\n"
               "              $RUNTIME_DIRECTORY/NAME.conf for the unprivileged launcher\n"
               "  -h --help   show this help\n"
               "  --version   show the version\n"
               "\n"
               "Configuration, later files winning:\n"
               "  %s/default.conf\n"
               "  %s/agents/NAME.conf\n"
               "  %s/NAME.conf\n"
               "($NOVA_AGENTS_CONFDIR and $NOVA_AGENTS_RUNDIR replace the directories.)\n"
               "\n"
               "Exit status:\n"
               "  0    success\n"
               "  1    internal error\n"
               "  2    usage error, or an invalid agent name\n"
               "  3    configuration missing or invalid\n"
               "  4    workspace missing or not a directory\n"
               "  126  command found but not executable\n"
               "  127  command not found\n",
               SYSCONFDIR "/nova-agents", SYSCONFDIR "/nova-agents", RUNDIR "/nova-agents");
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_CHECK, ARG_PREPARE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "check", no_argument, NULL, ARG_CHECK },
                { "prepare", no_argument, NULL, ARG_PREPARE },
                {},
        };
        int c;

        opterr = 0; /* getopt's own messages would lack our prefix */
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        puts(PACKAGE_STRING);
                        return 0;
                case ARG_CHECK:
                        arg_check = true;
                        break;
                case ARG_PREPARE:
                        arg_prepare = true;
                        break;
                default:
                        if (optopt > 0)
                                log_error("unknown option -%c; see --help", optopt);
                        else
                                log_error("unknown option %s; see --help", argv[optind - 1]);
                        return -EINVAL;
                }

        if (optind != argc - 1) {
                log_error("expected one agent name; see --help");
                return -EINVAL;
        }

        arg_name = argv[optind];
        return 1;
}

static const char *dir_from_env(const char *variable, const char *fallback) {
        const char *dir = getenv(variable);
        return dir && *dir ? dir : fallback;
}

static int verify_name(const char *name) {
        if (agent_name_is_valid(name))
                return 0;

        _cleanup_(freep) char *n = str_escape(name);
        if (!n)
                return log_oom();
        log_error("invalid agent name \"%s\": " AGENT_NAME_RULE, n);
        return -EINVAL;
}

/* The single RuntimeDirectory= systemd created for this unit, if any. */
static const char *runtime_directory(void) {
        const char *dir = getenv("RUNTIME_DIRECTORY");
        return dir && *dir && !strchr(dir, ':') ? dir : NULL;
}

/* The merged file --prepare left for us: -ENOENT if there is none. */
static int load_prepared(const char *name, AgentConfig **ret) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        _cleanup_(freep) char *path = NULL, *error = NULL;
        const char *dir = runtime_directory();
        int r;

        if (!dir)
                return -ENOENT;
        path = str_printf("%s/%s.conf", dir, name);
        if (!path || agent_config_new(&c) < 0)
                return log_oom();
        r = agent_config_parse_file(c, path, name, &error);
        if (r == -ENOENT)
                return r;
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0 || strv_isempty(c->command) || !c->workspace) {
                log_error("%s", r < 0 && error ? error : "prepared configuration is incomplete");
                return -EBADMSG;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int load_config(const char *name, AgentConfig **ret) {
        _cleanup_(freep) char *error = NULL;
        int r;

        if (!arg_check && !arg_prepare) {
                r = load_prepared(name, ret);
                if (r != -ENOENT)
                        return r;
        }

        r = agent_config_load(dir_from_env("NOVA_AGENTS_CONFDIR", SYSCONFDIR "/nova-agents"),
                              dir_from_env("NOVA_AGENTS_RUNDIR", RUNDIR "/nova-agents"),
                              name, ret, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return -EBADMSG;
        }
        return 0;
}

static int verify_workspace(const char *workspace) {
        struct stat st;

        if (stat(workspace, &st) < 0)
                log_error("workspace %s: %s", workspace, strerror(errno));
        else if (!S_ISDIR(st.st_mode))
                log_error("workspace %s: not a directory", workspace);
        else
                return 0;
        return -ENOTDIR;
}

/* Root writes, the agent's dynamic user reads: hand the file to the owner
 * systemd gave the runtime directory. */
static int write_prepared(const char *name, const AgentConfig *c) {
        _cleanup_(freep) char *error = NULL, *path = NULL;
        const char *dir = runtime_directory();
        struct stat st;
        int r;

        if (!dir) {
                log_error("--prepare needs exactly one RuntimeDirectory= ($RUNTIME_DIRECTORY)");
                return -EINVAL;
        }
        if (stat(dir, &st) < 0) {
                log_error("%s: %s", dir, strerror(errno));
                return -EIO;
        }
        r = agent_config_write_atomic(dir, name, c, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return -EIO;
        }
        path = str_printf("%s/%s.conf", dir, name);
        if (!path)
                return log_oom();
        if (chown(path, st.st_uid, st.st_gid) < 0) {
                log_error("%s: %s", path, strerror(errno));
                return -EIO;
        }
        return 0;
}

static int print_summary(const char *name, const AgentConfig *c) {
        printf("agent %s: workspace %s, command", name, c->workspace);
        for (char **w = c->command; *w; w++) {
                _cleanup_(freep) char *q = shell_word_quote(*w);
                if (!q)
                        return log_oom();
                printf(" %s", q);
        }
        putchar('\n');
        if (fflush(stdout) != 0) {
                log_error("cannot write to stdout: %s", strerror(errno));
                return -EIO;
        }
        return 0;
}

/* The cgroup systemd put us in is the agent's: exec does not move processes. */
static int set_cgroup_env(void) {
        _cleanup_(freep) char *path = NULL, *dir = NULL;
        const char *mountpoint = NULL;
        int r;

        r = cgroup_self_path(NULL, 0, &path);
        if (r >= 0)
                r = cgroup_unified_mountpoint(&mountpoint);
        if (r < 0) {
                /* Not fatal: only the agent's own memory checks need it. An
                 * inherited value would be someone else's, so it goes. */
                log_error("cgroup v2 directory unknown (%s), NOVA_AGENT_CGROUP not set", strerror(-r));
                return unsetenv("NOVA_AGENT_CGROUP") < 0 ? log_oom() : 0;
        }

        /* The root cgroup is "/"; no "/sys/fs/cgroup/" with a trailing slash. */
        dir = str_printf("%s%s", mountpoint, strcmp(path, "/") == 0 ? "" : path);
        if (!dir || setenv("NOVA_AGENT_CGROUP", dir, 1) < 0)
                return log_oom();
        return 0;
}

static int set_environment(const char *name, const AgentConfig *c) {
        for (char **e = c->environment; e && *e; e++) {
                _cleanup_(freep) char *key = strndup(*e, strcspn(*e, "="));
                if (!key || setenv(key, *e + strlen(key) + 1, 1) < 0)
                        return log_oom();
        }

        /* PWD too: some tools trust it over getcwd(), and an inherited
         * value would name another directory. */
        if (setenv("NOVA_AGENT_NAME", name, 1) < 0 || setenv("NOVA_AGENT_WORKSPACE", c->workspace, 1) < 0 ||
            setenv("PWD", c->workspace, 1) < 0)
                return log_oom();

        return set_cgroup_env();
}

/* execvp() fails with EACCES when some directory in $PATH could not be
 * searched, even if the command is in none of them; a shell calls that "not
 * found" (127), and so do we. */
static bool command_in_path(const char *command) {
        const char *path = getenv("PATH");

        if (strchr(command, '/'))
                return true; /* not searched: the error is about this very file */
        if (!path)
                path = "/bin:/usr/bin"; /* glibc's default for execvp() */

        for (const char *p = path;;) {
                size_t len = strcspn(p, ":");
                /* An empty entry is the current directory. */
                _cleanup_(freep) char *fn = len > 0 ? str_printf("%.*s/%s", (int) len, p, command)
                                                    : str_printf("./%s", command);
                if (!fn || access(fn, F_OK) == 0)
                        return true;
                if (p[len] == '\0')
                        return false;
                p += len + 1;
        }
}

static int exec_agent(const char *name, const AgentConfig *c) {
        int r;

        if (chdir(c->workspace) < 0) {
                log_error("workspace %s: %s", c->workspace, strerror(errno));
                return -ENOTDIR;
        }

        r = set_environment(name, c);
        if (r < 0)
                return r;

        execvp(c->command[0], c->command);

        r = errno;
        if (r == ENOENT || (r == EACCES && !command_in_path(c->command[0]))) {
                log_error("command not found: %s", c->command[0]);
                return -ENOENT;
        }
        log_error("cannot execute %s: %s", c->command[0], strerror(r));
        return -ENOEXEC;
}

static int run(void) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        int r;

        r = verify_name(arg_name);
        if (r < 0)
                return r;

        r = load_config(arg_name, &c);
        if (r < 0)
                return r;

        r = verify_workspace(c->workspace);
        if (r < 0)
                return r;

        if (arg_prepare) {
                r = write_prepared(arg_name, c);
                if (r < 0)
                        return r;
        }
        if (arg_check || arg_prepare)
                return print_summary(arg_name, c);
        return exec_agent(arg_name, c);
}

/* run() and its steps return one errno per failure class, chosen so that no
 * stray system call error can land in the wrong class. */
static int exit_status(int r) {
        switch (r) {
        case 0:
                return EXIT_SUCCESS;
        case -EINVAL:
                return EXIT_USAGE;
        case -EBADMSG:
                return EXIT_CONFIG;
        case -ENOTDIR:
                return EXIT_WORKSPACE;
        case -ENOEXEC:
                return EXIT_CANNOT_EXECUTE;
        case -ENOENT:
                return EXIT_NOT_FOUND;
        default:
                return EXIT_FAILURE;
        }
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        return exit_status(run());
}
