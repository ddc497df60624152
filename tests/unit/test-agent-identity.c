/* agent-identity.c on a scratch records directory, with a probe that says
 * which agents run and which names and UIDs NSS knows from elsewhere. */

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-identity.h"
#include "test-util.h"

static const char *running[8];
static uid_t taken_uid = 0;
static const char *taken_name = NULL;

static bool fake_alive(const char *name, _unused_ void *userdata) {
        for (size_t i = 0; i < ELEMENTSOF(running) && running[i]; i++)
                if (strcmp(running[i], name) == 0)
                        return true;
        return false;
}

static bool fake_uid_taken(uid_t uid, _unused_ void *userdata) {
        return uid == taken_uid;
}

static bool fake_name_taken(const char *user, _unused_ void *userdata) {
        return taken_name && strcmp(user, taken_name) == 0;
}

static bool refuse_reclaim = false;
static char reclaimed[64];

static int fake_reclaim(const char *owner, _unused_ void *userdata) {
        if (refuse_reclaim)
                return -EBUSY;
        snprintf(reclaimed, sizeof reclaimed, "%s", owner);
        return 0;
}

static const AgentIdentityProbe probe = {
        .alive = fake_alive, .uid_taken = fake_uid_taken, .name_taken = fake_name_taken,
        .reclaim = fake_reclaim,
};

static char *link_target(const char *dir, uid_t uid) {
        _cleanup_(freep) char *p = str_printf("%s/%u.user", dir, (unsigned) uid);
        static char buf[256];
        ssize_t n = p ? readlink(p, buf, sizeof buf - 1) : -1;

        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return buf;
}

static void test_claim_release(const char *dir) {
        uid_t a = 0, a2 = 0, b = 0, got = 0;

        running[0] = "a";
        running[1] = "b";

        is_int(agent_identity_claim(dir, "a", "/w/a", 0, &probe, &a), 0, "claim a");
        ok(agent_uid_in_pool(a), "a's UID %u is in the pool", (unsigned) a);
        is_str(link_target(dir, a), "nova-a.user", "the claim links UID.user to a's record");
        is_int(agent_identity_lookup(dir, "a", &got), 0, "lookup a");
        is_int(got, a, "lookup gives a's UID");
        is_int(agent_identity_claim(dir, "a", "/w/a", 0, &probe, &a2), 0, "claim a again (a restart)");
        is_int(a2, a, "a claim of an agent that holds one gives the same UID");
        is_int(agent_identity_claim(dir, "b", "/w/b", a, &probe, &b), 0, "claim b, preferring a's UID");
        ok(b != a, "b does not get a's UID although it asked for it");

        is_int(agent_identity_release(dir, "a"), 0, "release a");
        is_int(agent_identity_lookup(dir, "a", &got), -ENOENT, "released, a holds no UID");
        ok(!link_target(dir, a), "released, a's UID is free");
        is_int(agent_identity_release(dir, "a"), 0, "releasing again is a no-op");
        is_int(agent_identity_claim(dir, "a", "/w/a", 0, &probe, &a2), 0, "claim a after its release");
        is_int(a2, a, "the hash of the name gives a the same UID again");
        is_int(agent_identity_release(dir, "a"), 0, "release a");
        is_int(agent_identity_release(dir, "b"), 0, "release b");
        running[0] = running[1] = NULL;
}

static void test_preferred_and_taken(const char *dir) {
        uid_t u = 0, v = 0;

        is_int(agent_identity_claim(dir, "p", "/w/p", AGENT_UID_MIN + 7, &probe, &u), 0, "claim p with a preferred UID");
        is_int(u, AGENT_UID_MIN + 7, "a free preferred UID is taken");
        is_int(agent_identity_claim(dir, "q", "/w/q", 1000, &probe, &v), 0, "claim q preferring a UID outside the pool");
        ok(agent_uid_in_pool(v), "a preferred UID outside the pool is ignored");
        taken_uid = AGENT_UID_MIN + 9;
        is_int(agent_identity_claim(dir, "r", "/w/r", AGENT_UID_MIN + 9, &probe, &u), 0, "claim r preferring a UID NSS knows");
        ok(u != AGENT_UID_MIN + 9, "a UID NSS knows from elsewhere is skipped");
        taken_uid = 0;
        taken_name = "nova-operators";
        is_int(agent_identity_claim(dir, "operators", "/w/o", 0, &probe, &u), -EADDRINUSE,
               "an agent named operators cannot become the group nova-operators");
        taken_name = NULL;
        (void) agent_identity_release(dir, "p");
        (void) agent_identity_release(dir, "q");
        (void) agent_identity_release(dir, "r");
}

static void test_full_and_stale(const char *dir) {
        uid_t u = 0;

        for (uid_t uid = AGENT_UID_MIN; uid <= AGENT_UID_MAX; uid++) {
                _cleanup_(freep) char *p = str_printf("%s/%u.user", dir, (unsigned) uid);
                if (!p || (symlink("nova-holder.user", p) < 0 && errno != EEXIST))
                        bail_out("cannot fill the pool");
        }
        running[0] = "holder";
        running[1] = "g";
        is_int(agent_identity_claim(dir, "late", "/w/l", 0, &probe, &u), -EUSERS, "the pool full: -EUSERS");
        running[0] = running[1] = NULL;
        refuse_reclaim = true;
        is_int(agent_identity_claim(dir, "late", "/w/l", 0, &probe, &u), -EUSERS,
               "stale claims whose workspace cannot be locked are not taken back");
        refuse_reclaim = false;
        is_int(agent_identity_claim(dir, "late", "/w/l", 0, &probe, &u), 0, "the holder stopped: its stale claims are taken back");
        is_str(link_target(dir, u), "nova-late.user", "the taken-back UID is late's now");
        ok(strcmp(reclaimed, "holder") == 0 || strcmp(reclaimed, "g") == 0,
           "the stopped owner's workspace was locked first (%s)", reclaimed);
}

static void test_record_garbage(const char *dir) {
        _cleanup_(freep) char *p = str_printf("%s/nova-g.user", dir);
        uid_t u = 0;
        FILE *f = p ? fopen(p, "we") : NULL;

        if (!f)
                bail_out("cannot write a record");
        fputs("{\n\"uid\": 0,\n}\n", f);
        fclose(f);
        is_int(agent_identity_lookup(dir, "g", &u), -EBADMSG, "a record with UID 0 is not ours: -EBADMSG");
        is_int(agent_identity_claim(dir, "g", "/w/g", 0, &probe, &u), 0, "a claim replaces a garbled record");
        ok(agent_uid_in_pool(u), "with a pool UID");
}

int main(void) {
        _cleanup_(freep) char *dir = test_mkdtemp();

        test_claim_release(dir);
        test_preferred_and_taken(dir);
        test_record_garbage(dir);
        test_full_and_stale(dir);
        test_rm_rf(dir);
        return done_testing();
}
