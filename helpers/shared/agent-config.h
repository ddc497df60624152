#pragma once

/* What an agent runs, where, and with which environment.
 *
 * Read from up to three files, later ones winning per key:
 *   <confdir>/default.conf          the admin's defaults
 *   <confdir>/agents/<NAME>.conf    the admin, per agent
 *   <rundir>/<NAME>.conf            tools (novactl spawn), gone at reboot
 *
 * Each file is lines of Key=Value; blank lines and lines starting with '#'
 * or ';' are ignored; whitespace around the key and the value is dropped.
 *   Command=      the argv, in the word syntax of shell-words.h; an empty
 *                 Command= clears it. Required after all files are read.
 *   Workspace=    absolute path of the working directory; %i is the agent's
 *                 name, %% a '%'. An empty Workspace= restores the default.
 *   Environment=  KEY=VALUE, repeatable; a later KEY replaces an earlier one
 *                 (in place); an empty Environment= clears the list. KEYs
 *                 starting with NOVA_AGENT_ are the launcher's.
 *   DiskMax=      the most the agent's default workspace may hold: bytes,
 *                 or with K, M, G or T (powers of 1024), at least 1M;
 *                 "infinity" or empty: no limit. Enforced by a project
 *                 quota (project-quota.h), refused where none can be set.
 *   SoftDeadlineSec= how long after its start the agent's main process gets
 *                 SIGUSR1 ("wrap up"): a time span (900, 3s, 15min, 1h,
 *                 500ms; at least 100ms); 0, "infinity" or empty: none.
 *                 Set in no file: AGENT_CONFIG_SOFT_DEADLINE_DEFAULT_USEC.
 *                 nova-reliefd sends it (soft-deadline.h).
 *
 * Every function here returns 0 or a negative errno: -EINVAL for a file (or
 * a config to write) that breaks the rules above, -ENOMEM, or the error of
 * the failing system call. Where a function takes ret_error (which may be
 * NULL), a failure other than -ENOMEM also leaves a newly allocated one-line
 * message there, usually "PATH:LINE: …"; success leaves it untouched. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_CONFIG_DEFAULT_WORKSPACE "/var/lib/nova-agents/workspaces/%i"
/* A bound on memory per line; longer lines are an error, not truncated. */
#define AGENT_CONFIG_LINE_MAX (64 * 1024)
#define AGENT_CONFIG_RESERVED_PREFIX "NOVA_AGENT_"

typedef struct AgentConfig {
        char **command;     /* argv; NULL when unset */
        char *workspace;    /* with %i expanded; NULL when unset (the default applies) */
        char **environment; /* "KEY=VALUE", each KEY once, in order of first definition */
        uint64_t disk_max;  /* DiskMax= in bytes; 0: no limit */
        uint64_t soft_deadline_usec; /* SoftDeadlineSec=; 0: none */
        bool soft_deadline_set;      /* whether a file said SoftDeadlineSec= at all */
} AgentConfig;

int agent_config_new(AgentConfig **ret);
AgentConfig *agent_config_free(AgentConfig *c);
static inline void agent_config_freep(AgentConfig **c) {
        agent_config_free(*c);
}
int agent_config_copy(const AgentConfig *c, AgentConfig **ret);
bool agent_config_equal(const AgentConfig *a, const AgentConfig *b);

/* Applies the file at path on top of c. c changes only on success. A missing
 * file is -ENOENT (with a message too); agent_config_load() skips those. */
int agent_config_parse_file(AgentConfig *c, const char *path, const char *name, char **ret_error);

/* Reads the three files for agent name. On success Command is set, and
 * Workspace and SoftDeadlineSec= are filled in from the defaults if need be. */
int agent_config_load(
                const char *confdir,
                const char *rundir,
                const char *name,
                AgentConfig **ret,
                char **ret_error);

/* Writes c to <dir>/<name>.conf so that parsing the file gives c back; the
 * file is replaced atomically (temporary file, fsync, rename, fsync of dir),
 * mode 0600. On failure the old file, if any, is untouched and no temporary
 * file remains. */
int agent_config_write_atomic(const char *dir, const char *name, const AgentConfig *c, char **ret_error);

/* Building blocks, shared by the parser and the writer. On -EINVAL they
 * leave a static description of the problem in *ret_reason (if not NULL). */

/* DiskMax='s value: "" or "infinity" is 0 (no limit). */
#define AGENT_CONFIG_DISK_MAX_MIN (1024ULL * 1024)
int agent_config_disk_max_parse(const char *value, uint64_t *ret, const char **ret_reason);

/* Seed policy: SIGUSR1 at 15 min, half of the hard RuntimeMaxSec=30min. Also
 * the default when no file sets the key: dpkg keeps an admin's edited
 * default.conf from before the key existed, and its agents had the warning. */
#define AGENT_CONFIG_SOFT_DEADLINE_DEFAULT_USEC (15ULL * 60 * 1000000)
/* nova-reliefd looks first this long after --prepare wrote the record: by
 * then --prepare (which writes it last) has exited and cannot be taken for
 * the main process. */
#define AGENT_CONFIG_SOFT_DEADLINE_MIN_USEC (100ULL * 1000)
/* SoftDeadlineSec='s value, in µs: "", "0" or "infinity" is 0 (none). */
int agent_config_soft_deadline_parse(const char *value, uint64_t *ret, const char **ret_reason);

/* assignment is KEY=VALUE with a valid KEY outside the reserved prefix. */
int agent_config_env_check(const char *assignment, const char **ret_reason);
/* Sets KEY=VALUE in *env: replaces an earlier KEY in place, else appends. */
int agent_config_env_set(char ***env, const char *assignment);
/* Replaces %i by name and %% by '%', then checks the path. */
int agent_config_workspace_expand(const char *value, const char *name, char **ret, const char **ret_reason);
/* An absolute path without "." or ".." components, control characters or
 * whitespace at either end, shorter than PATH_MAX. */
int agent_config_workspace_check(const char *path, const char **ret_reason);
