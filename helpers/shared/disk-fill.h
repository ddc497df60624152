#pragma once

/* How full a filesystem is, in blocks and in inodes: what nova-reliefd's
 * disk admission (issue 15) and novactl status/capacity decide on and show.
 * The arithmetic takes statvfs(3) results (fixtures in unit tests), the
 * reader a root path to prefix (a fixture tree, or "/" or NULL). */

#include <stdint.h>
#include <sys/statvfs.h>

typedef struct DiskFill {
        uint64_t size_bytes;   /* what df shows as Size: used + available to users */
        uint64_t used_bytes;
        double blocks_percent; /* used / (used + available to users), as df's Use% */
        double inodes_percent; /* used / total inodes; 0 where the filesystem has no fixed count (btrfs) */
} DiskFill;

/* The fill of one statvfs result. -EINVAL when it reports no blocks. */
int disk_fill_from_statvfs(const struct statvfs *st, DiskFill *ret);

/* The higher of the two percentages, and which it was ("blocks" or "inodes"). */
double disk_fill_percent(const DiskFill *f, const char **ret_what);

/* statvfs() of <root><path> (root NULL, "" or "/": path itself), or of its
 * nearest existing ancestor when path does not exist yet. path is absolute. */
int disk_fill_read(const char *root, const char *path, DiskFill *ret);
