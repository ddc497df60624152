#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"

/* The highest capability this kernel knows: newer kernels add some. */
static unsigned long cap_last(void) {
        unsigned long last = CAP_LAST_CAP;
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

        if (f) {
                if (fscanf(f, "%lu", &last) != 1)
                        last = CAP_LAST_CAP;
                fclose(f);
        }
        return last < 64 ? last : 63;
}

static int caps_all_clear(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        for (unsigned i = 0; i < 2; i++)
                if (d[i].effective || d[i].permitted || d[i].inheritable)
                        return -EPERM;
        return 0;
}

int privileges_drop(uid_t uid, gid_t gid) {
        unsigned long last = cap_last();

        if (uid == 0 || gid == 0)
                return -EINVAL;
        /* The bounding set while we still have CAP_SETPCAP: nothing executed
         * later can gain a capability from a file either. */
        for (unsigned long c = 0; c <= last; c++)
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
                return -errno;
        /* Without SECBIT_KEEP_CAPS this also empties permitted and effective. */
        if (setresuid(uid, uid, uid) < 0)
                return -errno;

        uid_t ru, eu, su;
        gid_t rg, eg, sg;
        if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
                return -errno;
        if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
                return -EPERM;
        if (getgroups(0, NULL) != 0)
                return -EPERM;
        for (unsigned long c = 0; c <= last; c++)
                if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
                        return -EPERM;
        if (setuid(0) == 0)
                return -EPERM;
        return caps_all_clear();
}
