#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-identity.h"
#include "agent-workspace.h"
#include "file-util.h"
#include "macro.h"
#include "str-util.h"

/* Our records are a few hundred bytes; anything bigger is not ours. */
#define RECORD_MAX 4096

static char *record_path(const char *dir, const char *name, const char *suffix) {
        return str_printf("%s/" AGENT_USER_PREFIX "%s.%s", dir, name, suffix);
}

static char *claim_path(const char *dir, uid_t uid, const char *suffix) {
        return str_printf("%s/%u.%s", dir, (unsigned) uid, suffix);
}

/* The agent whose record the symlink UID.suffix points to: -ENOENT when
 * the UID is free, -EBADMSG when the link is not one of ours. */
static int claim_owner(const char *dir, uid_t uid, char **ret_name) {
        _cleanup_(freep) char *path = claim_path(dir, uid, "user");
        char target[PATH_MAX];
        ssize_t n;

        if (!path)
                return -ENOMEM;
        n = readlink(path, target, sizeof target - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';

        size_t plen = strlen(AGENT_USER_PREFIX), slen = strlen(".user");
        if ((size_t) n <= plen + slen || !str_has_prefix(target, AGENT_USER_PREFIX) ||
            strcmp(target + n - slen, ".user") != 0)
                return -EBADMSG;
        char *name = strndup(target + plen, (size_t) n - plen - slen);
        if (!name)
                return -ENOMEM;
        *ret_name = name;
        return 0;
}

/* "uid" of a record we wrote: the writer below puts it on a line of its own. */
static int record_uid(const char *path, uid_t *ret) {
        _cleanup_(freep) char *data = NULL;
        const char *p;
        char *end;
        int r;

        r = read_file_full(path, RECORD_MAX, &data, NULL);
        if (r < 0)
                return r == -EFBIG ? -EBADMSG : r;
        p = strstr(data, "\n\"uid\": ");
        if (!p)
                return -EBADMSG;
        errno = 0;
        unsigned long v = strtoul(p + strlen("\n\"uid\": "), &end, 10);
        if (errno != 0 || *end != ',' || !agent_uid_in_pool((uid_t) v))
                return -EBADMSG;
        *ret = (uid_t) v;
        return 0;
}

static int lookup_locked(const char *dir, const char *name, uid_t *ret_uid) {
        _cleanup_(freep) char *path = record_path(dir, name, "user"), *owner = NULL;
        uid_t uid;
        int r;

        if (!path)
                return -ENOMEM;
        r = record_uid(path, &uid);
        if (r < 0)
                return r;
        r = claim_owner(dir, uid, &owner);
        if (r == -ENOENT || (r >= 0 && strcmp(owner, name) != 0))
                return -EBADMSG; /* a record left half-written, or a claim taken over */
        if (r < 0)
                return r;
        *ret_uid = uid;
        return 0;
}

static int unlink_if(const char *path) {
        if (!path)
                return -ENOMEM;
        return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int release_locked(const char *dir, const char *name) {
        _cleanup_(freep) char *user = record_path(dir, name, "user"), *group = record_path(dir, name, "group");
        uid_t uid;
        int r;

        if (!user || !group)
                return -ENOMEM;
        r = lookup_locked(dir, name, &uid);
        if (r >= 0) {
                /* The claim (UID.user) goes last: until then the UID stays ours. */
                _cleanup_(freep) char *cu = claim_path(dir, uid, "user"), *cg = claim_path(dir, uid, "group");
                r = unlink_if(cg);
                if (r >= 0)
                        r = unlink_if(cu);
                if (r < 0)
                        return r;
        } else if (r != -ENOENT && r != -EBADMSG)
                return r;
        r = unlink_if(group);
        return r < 0 ? r : unlink_if(user);
}

/* JSON string contents: our names need no escaping, a configured home may. */
static char *json_escape(const char *s) {
        char *out = malloc(strlen(s) * 6 + 1), *o = out;

        if (!out)
                return NULL;
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        o += sprintf(o, "\\%c", c);
                else if (c < 0x20)
                        o += sprintf(o, "\\u%04x", c);
                else
                        *o++ = (char) c;
        }
        *o = '\0';
        return out;
}

static int write_records(const char *dir, const char *name, const char *home, uid_t uid) {
        _cleanup_(freep) char *user = NULL, *group = NULL, *h = json_escape(home);
        _cleanup_(freep) char *upath = record_path(dir, name, "user"), *gpath = record_path(dir, name, "group");
        int r;

        if (!h || !upath || !gpath)
                return -ENOMEM;
        /* One key per line: record_uid() reads "uid" back without a JSON parser. */
        user = str_printf("{\n\"userName\": \"" AGENT_USER_PREFIX "%s\",\n\"uid\": %u,\n\"gid\": %u,\n"
                          "\"realName\": \"nova agent %s\",\n\"homeDirectory\": \"%s\",\n"
                          "\"shell\": \"/usr/sbin/nologin\",\n\"locked\": true\n}\n",
                          name, (unsigned) uid, (unsigned) uid, name, h);
        group = str_printf("{\n\"groupName\": \"" AGENT_USER_PREFIX "%s\",\n\"gid\": %u\n}\n", name, (unsigned) uid);
        if (!user || !group)
                return -ENOMEM;
        r = write_file_atomic(gpath, group, strlen(group), 0644);
        return r < 0 ? r : write_file_atomic(upath, user, strlen(user), 0644);
}

/* Makes UID.suffix point at our record, replacing a stale link. */
static int link_claim(const char *dir, const char *name, uid_t uid, const char *suffix) {
        _cleanup_(freep) char *path = claim_path(dir, uid, suffix);
        _cleanup_(freep) char *target = str_printf(AGENT_USER_PREFIX "%s.%s", name, suffix);

        if (!path || !target)
                return -ENOMEM;
        if (symlink(target, path) >= 0)
                return 0;
        if (errno != EEXIST || unlink(path) < 0 || symlink(target, path) < 0)
                return -errno;
        return 0;
}

/* 1 if uid can be ours (free, a stale claim, or already half ours). */
static int try_uid(const char *dir, const char *name, uid_t uid, const AgentIdentityProbe *probe) {
        _cleanup_(freep) char *owner = NULL;
        int r;

        r = claim_owner(dir, uid, &owner);
        if (r == -ENOENT)
                return !(probe->uid_taken && probe->uid_taken(uid, probe->userdata));
        if (r == -EBADMSG)
                return 0; /* somebody else's link in our range: leave it alone */
        if (r < 0)
                return r;
        if (strcmp(owner, name) == 0)
                return 1;
        if (probe->alive && probe->alive(owner, probe->userdata))
                return 0;
        if (probe->reclaim && probe->reclaim(owner, probe->userdata) < 0)
                return 0;
        r = release_locked(dir, owner);
        return r < 0 ? r : 1;
}

static uint32_t name_hash(const char *s) {
        uint32_t h = 2166136261u; /* FNV-1a: spreads similar names (agent-001, agent-002) */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 16777619u;
        return h;
}

static int pick_uid(const char *dir, const char *name, uid_t preferred, const AgentIdentityProbe *probe,
                    uid_t *ret) {
        uint32_t start = name_hash(name) % AGENT_UID_COUNT;
        int r;

        if (agent_uid_in_pool(preferred)) {
                r = try_uid(dir, name, preferred, probe);
                if (r != 0) {
                        *ret = preferred;
                        return r < 0 ? r : 0;
                }
        }
        for (unsigned i = 0; i < AGENT_UID_COUNT; i++) {
                uid_t uid = AGENT_UID_MIN + (start + i) % AGENT_UID_COUNT;
                r = try_uid(dir, name, uid, probe);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = uid;
                        return 0;
                }
        }
        return -EUSERS;
}

static int lock_dir(const char *dir) {
        int fd;

        /* Agents read the records (NSS in their own processes): 0755 whatever
         * the caller's umask (the unit has UMask=0077). */
        if (mkdir(dir, 0755) >= 0) {
                if (chmod(dir, 0755) < 0)
                        return -errno;
        } else if (errno != EEXIST)
                return -errno;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd; /* closing it unlocks */
}

int agent_identity_claim(const char *records_dir, const char *name, const char *home, uid_t preferred,
                         const AgentIdentityProbe *probe, uid_t *ret_uid) {
        _cleanup_(freep) char *user = str_printf(AGENT_USER_PREFIX "%s", name);
        _cleanup_(closep) int lock = -EBADF;
        uid_t uid;
        int r;

        if (!user)
                return -ENOMEM;
        lock = lock_dir(records_dir);
        if (lock < 0)
                return lock;

        r = lookup_locked(records_dir, name, &uid);
        if (r >= 0) {
                *ret_uid = uid;
                return 0;
        }
        if (r != -ENOENT && r != -EBADMSG)
                return r;
        if (probe->name_taken && probe->name_taken(user, probe->userdata))
                return -EADDRINUSE;

        r = pick_uid(records_dir, name, preferred, probe, &uid);
        if (r < 0)
                return r;
        r = write_records(records_dir, name, home, uid);
        if (r >= 0)
                r = link_claim(records_dir, name, uid, "group");
        if (r >= 0)
                r = link_claim(records_dir, name, uid, "user");
        if (r < 0) {
                (void) release_locked(records_dir, name);
                return r;
        }
        *ret_uid = uid;
        return 0;
}

int agent_identity_lookup(const char *records_dir, const char *name, uid_t *ret_uid) {
        return lookup_locked(records_dir, name, ret_uid);
}

int agent_identity_release(const char *records_dir, const char *name) {
        _cleanup_(closep) int lock = lock_dir(records_dir);

        if (lock < 0)
                return lock;
        return release_locked(records_dir, name);
}

static bool host_alive(const char *name, void *userdata) {
        const AgentIdentityHost *host = userdata;
        _cleanup_(freep) char *path = str_printf("%s/%s", host->runtime_dir, name);
        struct stat st;

        /* Out of memory: say alive, so that nothing is taken from a running agent. */
        return !path || (lstat(path, &st) >= 0 && S_ISDIR(st.st_mode)) || (errno != ENOENT && errno != ENOTDIR);
}

/* getpwuid_r(3): these mean "not found"; any other error is not a "no". */
static bool nss_failed(int r) {
        return r != 0 && r != ENOENT && r != ESRCH && r != EBADF && r != EPERM;
}

static bool host_uid_taken(uid_t uid, _unused_ void *userdata) {
        struct passwd pw, *pwr = NULL;
        struct group gr, *grr = NULL;
        char buf[16384];

        if (nss_failed(getpwuid_r(uid, &pw, buf, sizeof buf, &pwr)) || pwr)
                return true;
        return nss_failed(getgrgid_r((gid_t) uid, &gr, buf, sizeof buf, &grr)) || grr;
}

/* Only a name that NSS maps outside the pool is taken: inside it, the answer
 * is one of our own (stale) records. */
static bool host_name_taken(const char *user, _unused_ void *userdata) {
        struct passwd pw, *pwr = NULL;
        struct group gr, *grr = NULL;
        char buf[16384];

        if (nss_failed(getpwnam_r(user, &pw, buf, sizeof buf, &pwr)) || (pwr && !agent_uid_in_pool(pwr->pw_uid)))
                return true;
        return nss_failed(getgrnam_r(user, &gr, buf, sizeof buf, &grr)) || (grr && !agent_uid_in_pool(grr->gr_gid));
}

static int host_reclaim(const char *owner, void *userdata) {
        const AgentIdentityHost *host = userdata;

        return agent_workspace_lock(host->workspaces_dir, owner);
}

AgentIdentityProbe agent_identity_probe_host(const AgentIdentityHost *host) {
        return (AgentIdentityProbe) {
                .alive = host_alive,
                .uid_taken = host_uid_taken,
                .name_taken = host_name_taken,
                .reclaim = host_reclaim,
                .userdata = (void *) host,
        };
}
