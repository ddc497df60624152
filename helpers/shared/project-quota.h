#pragma once

/* Per-agent disk limits (DiskMax=, issue 15) through filesystem project
 * quotas: ext4 with the "project" and "quota" features mounted with
 * prjquota, or xfs mounted with pquota. The agent's default workspace and
 * everything below it carry one project ID; its directories inherit it
 * (FS_XFLAG_PROJINHERIT), so whatever the agent creates there is counted,
 * and the kernel answers EDQUOT past the limit. No tool is needed at run
 * time: ioctl(FS_IOC_FSSETXATTR) and quotactl_fd(2) (Linux 5.14).
 *
 * The project ID is the workspace directory's inode number: unique on its
 * filesystem while the workspace exists, and stable when the agent's UID
 * changes hands (a UID as ID would count a stopped agent's files against
 * the next holder of its UID). All functions return 0 or a negative errno. */

#include <stdint.h>

/* Whether the filesystem of fd counts and enforces project quotas, from the
 * flags of Q_XGETQSTAT (FS_QUOTA_PDQ_ACCT, FS_QUOTA_PDQ_ENFD) or the errno
 * of that call (qstat_errno, 0 when it succeeded): 0, or -EOPNOTSUPP with a
 * static one-line reason. Pure, for tests. */
int project_quota_verdict(int qstat_errno, uint16_t flags, const char **ret_reason);

/* project_quota_verdict() of fd's filesystem. */
int project_quota_supported(int fd, const char **ret_reason);

/* The project ID of the workspace open at dirfd (its inode number);
 * -EOVERFLOW when that does not fit the 32-bit ID (xfs inode64). */
int project_quota_id(int dirfd, uint32_t *ret);

/* Gives the tree at dirfd project ID id (directories with the inherit
 * flag). Walks the tree only when the top is not id already; never
 * follows a symlink or leaves the filesystem; symlinks and special files
 * keep theirs (they hold no data blocks to speak of). *ret_changed: inodes. */
int project_quota_assign(int dirfd, uint32_t id, unsigned long *ret_changed);

/* The hard block limit of project id on fd's filesystem: bytes rounded up
 * to the quota's 1 KiB blocks; 0 removes the limit (accounting stays). */
int project_quota_set_limit(int fd, uint32_t id, uint64_t bytes);

/* What project id holds and may hold (0: no limit), in bytes. */
int project_quota_get(int fd, uint32_t id, uint64_t *ret_used, uint64_t *ret_limit);

/* Bytes as the quota's 1 KiB blocks, rounded up. Pure. */
uint64_t project_quota_blocks(uint64_t bytes);

/* Before the workspace open at dirfd is removed: its project's limit goes
 * (its ID, an inode number, may later be another inode's). 0 where the
 * filesystem has no project quotas. */
int project_quota_release(int dirfd);
