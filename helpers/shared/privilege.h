#pragma once

/* Becoming an agent's own user, for good. */

#include <sys/types.h>

/* From root to uid:gid with no supplementary groups and no capabilities in
 * any set (effective, permitted, inheritable, ambient, bounding), then
 * checks that none can come back: setuid(0) must fail. Needs CAP_SETUID,
 * CAP_SETGID and CAP_SETPCAP (to empty the bounding set). */
int privileges_drop(uid_t uid, gid_t gid);
