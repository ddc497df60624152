/* nova-agent-exec --prepare: as root, before the launcher (ExecStartPre=+),
 * everything the agent's start needs that the launcher's few capabilities
 * cannot do. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admission.h"
#include "agent-exec.h"
#include "str-util.h"

int workspace_verify(const char *workspace) {
        struct stat st;

        if (stat(workspace, &st) < 0)
                log_error("workspace %s: %s", workspace, strerror(errno));
        else if (!S_ISDIR(st.st_mode))
                log_error("workspace %s: not a directory", workspace);
        else
                return 0;
        return -ENOTDIR;
}

/* Root writes, the launcher reads (as root, before it becomes the agent):
 * the file gets the owner the runtime directory has (root in the unit). */
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

/* Not root (a test, an admin's User= drop-in): nothing to claim or hand over. */
static int prepare_identity(const char *name, const AgentConfig *c, uid_t *ret_uid) {
        const char *dir = runtime_directory();

        *ret_uid = geteuid();
        if (c->disk_max > 0 && geteuid() != 0) {
                log_error("DiskMax= is refused: only root can set a project quota");
                return -DISK_ERRNO;
        }
        if (geteuid() != 0 || !dir)
                return 0; /* no directory: write_prepared() says so */
        return identity_prepare(name, c, dir, ret_uid);
}

/* PID 1 let this start past the unit's admission condition; if
 * `novactl spawn --force` left NAME's token for it, this start used it. */
static int consume_force_token(const char *name) {
        int r = admission_force_consume(agents_rundir(), name);

        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                log_error("cannot remove the --force token of %s: %s", name, strerror(-r));
        else if (r > 0)
                log_info("admission: %s admitted once by --force", name);
        return r < 0 ? -EIO : 0;
}

int prepare_agent(const char *name, const AgentConfig *c) {
        uid_t uid = 0;
        int r;

        r = output_reserve_check(name);
        if (r >= 0)
                r = consume_force_token(name);
        if (r >= 0)
                r = prepare_identity(name, c, &uid);
        if (r >= 0)
                r = workspace_verify(c->workspace);
        if (r >= 0)
                r = write_prepared(name, c);
        if (r >= 0)
                r = credentials_prepare(name, runtime_directory(), uid);
        if (r >= 0)
                r = scratch_prepare(uid);
        if (r >= 0)
                r = deadline_prepare(name, c);
        return r;
}
