/* The pure parts of project quotas: whether a filesystem can enforce
 * DiskMax= from Q_XGETQSTAT's answer, bytes as 1 KiB quota blocks, and the
 * project ID of a workspace (its inode number). Setting quotas needs a
 * filesystem with them and root: tests/vm/disk-quota.vmt. */

#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <string.h>
#include <sys/stat.h>

#include "project-quota.h"
#include "test-util.h"

int main(void) {
        const char *reason = NULL;

        is_int(project_quota_verdict(0, FS_QUOTA_PDQ_ACCT | FS_QUOTA_PDQ_ENFD, &reason), 0, "counted and enforced: yes");
        ok(reason == NULL, "no reason then");
        is_int(project_quota_verdict(0, FS_QUOTA_UDQ_ACCT | FS_QUOTA_UDQ_ENFD, &reason), -EOPNOTSUPP,
               "user quotas only: no");
        ok(reason && strstr(reason, "project quotas are off"), "says project quotas are off");
        is_int(project_quota_verdict(0, FS_QUOTA_PDQ_ACCT, &reason), -EOPNOTSUPP, "counted, not enforced: no");
        ok(reason && strstr(reason, "not enforced"), "says not enforced");
        is_int(project_quota_verdict(ENOSYS, FS_QUOTA_PDQ_ACCT | FS_QUOTA_PDQ_ENFD, &reason), -EOPNOTSUPP,
               "Q_XGETQSTAT failed (no quota support): no, whatever the flags");
        ok(reason && strstr(reason, "has no quotas"), "says the filesystem has none");
        is_int(project_quota_verdict(ESRCH, 0, NULL), -EOPNOTSUPP, "a NULL reason pointer is fine");

        is_int((long long) project_quota_blocks(0), 0, "0 bytes: 0 blocks (no limit)");
        is_int((long long) project_quota_blocks(1), 1, "1 byte: 1 block");
        is_int((long long) project_quota_blocks(1024), 1, "1024 bytes: 1 block");
        is_int((long long) project_quota_blocks(50ULL << 20), 51200, "50M: 51200 blocks");
        is_int((long long) project_quota_blocks((50ULL << 20) + 1), 51201, "50M + 1: rounded up");

        _cleanup_(freep) char *dir = test_mkdtemp();
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        uint32_t id = 0;
        ok(fd >= 0 && fstat(fd, &st) == 0, "a directory");
        if (st.st_ino < UINT32_MAX) {
                is_int(project_quota_id(fd, &id), 0, "its project ID");
                is_int((long long) id, (long long) st.st_ino, "is its inode number");
        } else
                is_int(project_quota_id(fd, &id), -EOVERFLOW, "a 64-bit inode number: -EOVERFLOW");
        is_int(project_quota_id(-1, &id), -EBADF, "no fd: -EBADF");
        test_rm_rf(dir);
        return done_testing();
}
