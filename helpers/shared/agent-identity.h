#pragma once

/* Every agent its own UID and GID, drawn at start from a pool the package
 * reserves, and resolvable through NSS as the user and group "nova-NAME".
 *
 * Why not DynamicUser=: systemd names a dynamic user after the unit's prefix,
 * so every nova-agent@ instance shared one UID; a per-instance User= would
 * need the user to exist before PID 1 spawns even an ExecStartPre=+ (it
 * resolves User= for every command, 217/USER otherwise), and DynamicUser='s
 * compiled-in range (61184-65519, 4,336 UIDs for the whole host) cannot hold
 * 12,500 agents. So the root prepare step claims a UID here and the launcher
 * switches to it before executing the agent's command.
 *
 * The claim is a userdb drop-in record pair in /run/userdb (nss-systemd reads
 * those, systemd >= 249): nova-NAME.user and nova-NAME.group hold the
 * records, and the symlinks UID.user -> nova-NAME.user and UID.group ->
 * nova-NAME.group make them resolvable by number. The UID.user symlink is the
 * claim itself: it exists for exactly one agent. Claims and releases hold
 * flock() on the directory, so two starts never take the same UID. /run is a
 * tmpfs: a reboot releases everything. A stopped agent keeps its claim (and
 * its workspace) until it starts again or a claim needs the UID: then the
 * claim is stale and taken back, its workspace locked first. Not released at
 * stop (ExecStopPost=): that step runs in the agent's cgroup, and after a
 * fork bomb there it starved behind 512 processes past the stop timeout.
 *
 * The range sits between Debian's login range (1000-59999), its reserved
 * 60000-64999 and systemd's DynamicUser= range on one side, and the
 * subordinate IDs useradd hands out from 100000 on the other (systemd's
 * UIDS-GIDS.md calls 65536-524287 unused). */

#include <stdbool.h>
#include <sys/types.h>

#define AGENT_UID_MIN ((uid_t) 70000)
#define AGENT_UID_MAX ((uid_t) 84999)
#define AGENT_UID_COUNT ((unsigned) (AGENT_UID_MAX - AGENT_UID_MIN + 1))

/* The prefix of an agent's user and group name: "nova-" NAME. */
#define AGENT_USER_PREFIX "nova-"

static inline bool agent_uid_in_pool(uid_t uid) {
        return uid >= AGENT_UID_MIN && uid <= AGENT_UID_MAX;
}

/* What a claim asks of the world outside the records directory; tests pass
 * their own. NULL members mean "no". */
typedef struct AgentIdentityProbe {
        /* Is agent name still running? A claim of a stopped agent whose
         * release never ran (PID 1 died) is taken back. */
        bool (*alive)(const char *name, void *userdata);
        /* Does NSS know uid, or user/group name, from another source
         * (/etc/passwd, LDAP, …)? Such a UID is skipped, such a name refused. */
        bool (*uid_taken)(uid_t uid, void *userdata);
        bool (*name_taken)(const char *user, void *userdata);
        /* Called before a stale claim of agent owner is taken back; < 0
         * leaves that UID alone. The host's locks owner's workspace, so that
         * the UID's next holder cannot enter it. */
        int (*reclaim)(const char *owner, void *userdata);
        void *userdata;
} AgentIdentityProbe;

typedef struct AgentIdentityHost {
        const char *runtime_dir;    /* <rundir>/agents: one directory per running agent */
        const char *workspaces_dir; /* the default workspaces */
} AgentIdentityHost;

/* The probe for a real host: alive = the agent's runtime directory exists
 * (systemd removes it when the unit stops); uid_taken and name_taken ask NSS
 * and ignore answers that are pool UIDs (our records); reclaim =
 * agent_workspace_lock(). host must outlive the probe. */
AgentIdentityProbe agent_identity_probe_host(const AgentIdentityHost *host);

/* Claims a UID for agent name in records_dir (normally /run/userdb):
 * its current one if it holds one, else preferred (e.g. the owner of its
 * workspace) if free, else the first free UID probing from a hash of the
 * name. Writes the records and returns the UID.
 * -EADDRINUSE: the user or group name exists elsewhere; -EUSERS: the pool is
 * full; other negative errno on I/O errors. home is the record's home. */
int agent_identity_claim(const char *records_dir, const char *name, const char *home, uid_t preferred,
                         const AgentIdentityProbe *probe, uid_t *ret_uid);

/* The UID agent name holds, from its record: -ENOENT when it holds none,
 * -EBADMSG when the record is not ours or its claim points elsewhere. */
int agent_identity_lookup(const char *records_dir, const char *name, uid_t *ret_uid);

/* Gives the agent's UID back and removes its records; 0 when it held none. */
int agent_identity_release(const char *records_dir, const char *name);
