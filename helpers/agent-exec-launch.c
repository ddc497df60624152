/* nova-agent-exec: the last step, from the agent's configuration to its
 * command as the unit's main process. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-exec.h"
#include "agent-tmp.h"
#include "cgroup-util.h"
#include "credential.h"
#include "str-util.h"

/* The cgroup systemd put us in is the agent's: exec does not move processes. */
static int set_cgroup_env(void) {
        _cleanup_(freep) char *dir = NULL;
        int r;

        r = cgroup_self_dir(&dir);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                /* Not fatal: only the agent's own memory checks need it. An
                 * inherited value would be someone else's, so it goes. */
                log_error("cgroup v2 directory unknown (%s), NOVA_AGENT_CGROUP not set", strerror(-r));
                return unsetenv("NOVA_AGENT_CGROUP") < 0 ? log_oom() : 0;
        }
        return setenv("NOVA_AGENT_CGROUP", dir, 1) < 0 ? log_oom() : 0;
}

/* After the switch, so that what we test is what the agent can read. An
 * inherited value (an admin's LoadCredential= drop-in) stays when we have none. */
static int set_credentials_env(void) {
        const char *dir = runtime_directory();
        if (!dir)
                return 0;
        _cleanup_(freep) char *path = str_printf("%s/" CREDENTIALS_SUBDIR, dir);
        if (!path)
                return log_oom();
        if (access(path, X_OK) < 0)
                return 0;
        return setenv("CREDENTIALS_DIRECTORY", path, 1) < 0 ? log_oom() : 0;
}

static int set_environment(const char *name, const AgentConfig *c) {
        int r;

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

        /* Gone when the agent stops (a RuntimeDirectory=), so no later agent
         * with the same UID finds what this one left. */
        if (scratch_directory()) {
                _cleanup_(freep) char *scratch = str_printf("%s/" SCRATCH_SUBDIR, scratch_directory());
                if (!scratch || setenv("NOVA_AGENT_SCRATCH", scratch, 1) < 0)
                        return log_oom();
        }
        r = set_credentials_env();
        if (r < 0)
                return r;
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

/* Started by systemd as root, the unit binds the agent's own /tmp and
 * /var/tmp (agent-tmp.h) with '-' (the ExecStartPre=+ step runs before they
 * exist): should they be missing, the agent must not get the host's. */
static int verify_tmp(const char *name) {
        if (geteuid() != 0 || !getenv("INVOCATION_ID"))
                return 0;
        int r = agent_tmp_verify(workspaces_dir(), name);
        if (r < 0) {
                log_error("/tmp and /var/tmp are not %s/" AGENT_TMP_SUBDIR "/%s's (%s): the unit's BindPaths= is not in effect",
                          workspaces_dir(), name, r == -EXDEV ? "other directories" : strerror(-r));
                return -ENOTDIR;
        }
        return 0;
}

int exec_agent(const char *name, const AgentConfig *c) {
        int r;

        r = verify_tmp(name);
        if (r < 0)
                return r;
        r = identity_become(name, c);
        if (r < 0)
                return r;

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

