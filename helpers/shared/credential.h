#pragma once

/* Secrets for agents, encrypted at rest with systemd-creds (the host key in
 * /var/lib/systemd/credential.secret, and the TPM where there is one), found
 * as credential files CREDENTIAL_ID.cred in, later directories winning:
 *   <confdir>/credentials/shared/            the admin's, for every agent
 *   <confdir>/credentials/agents/<NAME>/     the admin's, for agent NAME
 *   <rundir>/credentials/<NAME>/             novactl spawn --secret, gone at reboot
 * All are root's and 0700. nova-agent-exec --prepare decrypts them into the
 * agent's own runtime directory (tmpfs, removed by systemd when the unit
 * stops): <RUNTIME_DIRECTORY>/credentials/ID, which the agent finds as
 * $CREDENTIALS_DIRECTORY/ID. Each file is encrypted with --name=ID, so a file
 * renamed to another ID fails to decrypt.
 *
 * Functions return 0 or a negative errno; ret_* are written on success only. */

#include <stdbool.h>
#include <stddef.h>

#define CREDENTIALS_SUBDIR "credentials"
#define CREDENTIAL_SUFFIX ".cred"
/* The same path on Debian 12 and 13 (systemd 252 and 257). */
#define SYSTEMD_CREDS_PATH "/usr/bin/systemd-creds"

/* An ID names a file and an environment-free lookup ($CREDENTIALS_DIRECTORY/ID):
 * the agent name rule (agent-name.h), so no '/', no "..", nothing hidden. */
bool credential_id_is_valid(const char *id);
#define CREDENTIAL_ID_RULE "use 1-64 letters, digits, '-', '_', '.', starting with a letter or digit"

typedef struct Credential {
        char *id;
        char *path; /* the encrypted file that wins for this ID */
} Credential;

void credentials_free(Credential *c, size_t n);

/* The credentials agent name gets, sorted by ID. A missing directory has
 * none; a file ending in .cred whose ID breaks the rule is -EINVAL with a
 * one-line message in *ret_error (which may be NULL). Hidden files (a
 * spawn's temporary file) are skipped. */
int credential_list(const char *confdir, const char *rundir, const char *name, Credential **ret, size_t *ret_n,
                    char **ret_error);

/* Runs `systemd-creds encrypt|decrypt --name=ID IN -`, IN a path or "-" for
 * in_fd, writing to out_fd: -EIO if it fails (it says why on stderr, which is
 * the journal or the user's terminal; it never prints the secret). */
int credential_crypt(const char *verb, const char *id, const char *in, int in_fd, int out_fd);
