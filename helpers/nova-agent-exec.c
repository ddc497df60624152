/* nova-agent-exec: ExecStartPre= and ExecStart= of nova-agent@NAME.service,
 * and the package's postinst.
 *
 *   nova-agent-exec --check NAME   checks the name, the configuration and the
 *                                  workspace; prints one line about the agent
 *   nova-agent-exec --prepare NAME the same, as root: claims the agent's own
 *                                  UID (agent-identity.h), hands it its default
 *                                  workspace, writes the merged configuration
 *                                  and its decrypted credentials (credential.h,
 *                                  the agent's) to $RUNTIME_DIRECTORY and makes
 *                                  its scratch data/ directory; last, the
 *                                  record of its soft deadline for
 *                                  nova-reliefd (soft-deadline.h)
 *   nova-agent-exec NAME           checks the same, becomes the agent's user,
 *                                  enters the workspace, sets the environment
 *                                  and execs Command=, which becomes the unit's
 *                                  main process
 *   nova-agent-exec --release NAME locks the default workspace and gives the
 *                                  UID back (by hand, after the agent stopped;
 *                                  a later start that needs the UID does both)
 *   nova-agent-exec --migrate-workspaces
 *                                  moves DynamicUser-era workspaces back from
 *                                  /var/lib/private (the package's postinst)
 *
 * Why --prepare: the runtime file novactl writes is root-only (it may hold
 * secrets, and other agents must not see it), and only root can claim a UID.
 * The unit runs --prepare with full privileges (ExecStartPre=+); the launcher
 * starts as root with just the capabilities to switch users and reads only
 * the merged file in its own RuntimeDirectory=.
 *
 * Exit status (also in --help). Each failure class has its own value, so that
 * "status=N" in `systemctl status` already says what is wrong:
 *   0    success (--check, --help)
 *   1    internal error (out of memory, …)
 *   2    usage error, or an invalid agent name
 *   3    configuration missing or invalid
 *   4    workspace missing or not a directory
 *   5    no identity: the UID pool is full, the user name exists elsewhere,
 *        or the launcher runs as root without a claimed UID
 *   6    DiskMax= cannot be enforced (no project quotas on the workspace's
 *        filesystem, a Workspace= other than the default, not root)
 *   7    journald refused the agent's output stream (past its cap on
 *        stdout streams), or agents hold all their share of those streams
 *        (--prepare): said through syslog, the agent does not run
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
#include <unistd.h>

#include "agent-config.h"
#include "agent-exec.h"
#include "agent-name.h"
#include "shell-words.h"
#include "str-util.h"

enum {
        EXIT_USAGE = 2,
        EXIT_CONFIG = 3,
        EXIT_WORKSPACE = 4,
        EXIT_IDENTITY = 5,
        EXIT_DISK = 6,
        EXIT_OUTPUT = 7,
        EXIT_CANNOT_EXECUTE = 126,
        EXIT_NOT_FOUND = 127,
};

static bool arg_check = false;
static bool arg_prepare = false;
static bool arg_release = false;
static bool arg_migrate = false;
static const char *arg_name = NULL;

int log_oom(void) {
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
               "  --prepare   as root: validate, claim the agent's own UID, hand it\n"
               "              its workspace, and write the merged\n"
               "              configuration to $RUNTIME_DIRECTORY/NAME.conf and the\n"
               "              decrypted credentials to $RUNTIME_DIRECTORY/credentials/,\n"
               "              then the soft deadline's record to %s/soft-deadline/NAME\n"
               "  --release   lock the agent's default workspace, give its UID back\n"
               "  --migrate-workspaces\n"
               "              as root, once after upgrading from 0.x: move the\n"
               "              DynamicUser= era workspaces back from /var/lib/private\n"
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
               "  5    no identity (UID pool full, user name taken, none claimed)\n"
               "  6    DiskMax= cannot be enforced here\n"
               "  7    journald refused the output stream, or agents hold their share of\n"
               "       journald's streams (see novactl capacity)\n"
               "  126  command found but not executable\n"
               "  127  command not found\n",
               AGENTS_RUNDIR, AGENTS_CONFDIR, AGENTS_CONFDIR, AGENTS_RUNDIR);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_CHECK, ARG_PREPARE, ARG_RELEASE, ARG_MIGRATE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "check", no_argument, NULL, ARG_CHECK },
                { "prepare", no_argument, NULL, ARG_PREPARE },
                { "release", no_argument, NULL, ARG_RELEASE },
                { "migrate-workspaces", no_argument, NULL, ARG_MIGRATE },
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
                case ARG_RELEASE:
                        arg_release = true;
                        break;
                case ARG_MIGRATE:
                        arg_migrate = true;
                        break;
                default:
                        if (optopt > 0)
                                log_error("unknown option -%c; see --help", optopt);
                        else
                                log_error("unknown option %s; see --help", argv[optind - 1]);
                        return -EINVAL;
                }

        if (arg_migrate) {
                if (optind != argc || arg_check || arg_prepare || arg_release) {
                        log_error("--migrate-workspaces takes no agent name and no other option");
                        return -EINVAL;
                }
                return 1;
        }
        if (optind != argc - 1) {
                log_error("expected one agent name; see --help");
                return -EINVAL;
        }

        arg_name = argv[optind];
        return 1;
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

        r = agent_config_load(agents_confdir(), agents_rundir(),
                              name, ret, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return -EBADMSG;
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
                if (errno == EPIPE && output_refused())
                        return output_refusal(name);
                log_error("cannot write to stdout: %s", strerror(errno));
                return -EIO;
        }
        return 0;
}

static int run(void) {
        _cleanup_(agent_config_freep) AgentConfig *c = NULL;
        int r;

        if (arg_migrate)
                return identity_migrate_workspaces();
        r = verify_name(arg_name);
        if (r < 0)
                return r;
        /* Whatever became of the configuration meanwhile. */
        if (arg_release)
                return identity_release(arg_name);

        r = load_config(arg_name, &c);
        if (r < 0)
                return r;

        r = arg_prepare ? prepare_agent(arg_name, c) : workspace_verify(c->workspace);
        if (r < 0)
                return r;
        if (arg_check || arg_prepare)
                return print_summary(arg_name, c);
        /* Last, so that journald has long handled (and maybe closed) the stream. */
        if (output_refused())
                return output_refusal(arg_name);
        deadline_mark_started();
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
        case -IDENTITY_ERRNO:
                return EXIT_IDENTITY;
        case -DISK_ERRNO:
                return EXIT_DISK;
        case -EPIPE:
                return EXIT_OUTPUT;
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
