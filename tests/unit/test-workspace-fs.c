/* nova-setup-host --workspace-device's decisions: which devices are
 * formatted, kept or refused (from blkid's findings), and the .mount unit. */

#include <string.h>

#include "test-util.h"
#include "workspace-fs-util.h"

static void action(const char *fstype, const char *label, const char *pttype, bool flag, WorkspaceDeviceAction want,
                   const char *want_reason, const char *what) {
        _cleanup_(freep) char *reason = NULL;

        is_int(workspace_device_action("/dev/vdb", fstype, label, pttype, flag, &reason), want, "%s", what);
        is_str(reason, want_reason, "%s: reason", what);
}

int main(void) {
        action(NULL, NULL, NULL, false, WORKSPACE_DEVICE_FORMAT, NULL, "a blank device is formatted");
        action("ext4", WORKSPACE_FS_LABEL, NULL, false, WORKSPACE_DEVICE_OURS, NULL, "our ext4 is kept");
        action("ext4", WORKSPACE_FS_LABEL, NULL, true, WORKSPACE_DEVICE_OURS, NULL,
               "our ext4 is kept even with --format-device (a second run changes nothing)");
        action("ext4", "data", NULL, false, WORKSPACE_DEVICE_REFUSE,
               "/dev/vdb holds an ext4 filesystem (label data): not formatting it without --format-device",
               "another ext4 is refused");
        action("xfs", NULL, NULL, false, WORKSPACE_DEVICE_REFUSE,
               "/dev/vdb holds a xfs filesystem: not formatting it without --format-device", "an xfs is refused");
        action(NULL, NULL, "gpt", false, WORKSPACE_DEVICE_REFUSE,
               "/dev/vdb holds a gpt partition table: not formatting it without --format-device (or name a partition)",
               "a partition table is refused");
        action("LVM2_member", NULL, NULL, false, WORKSPACE_DEVICE_REFUSE,
               "/dev/vdb holds a LVM2_member filesystem: not formatting it without --format-device", "an LVM PV is refused");
        action("ext4", "data", NULL, true, WORKSPACE_DEVICE_FORMAT, NULL, "--format-device formats another ext4");
        action(NULL, NULL, "dos", true, WORKSPACE_DEVICE_FORMAT, NULL, "--format-device formats over a partition table");

        _cleanup_(freep) char *unit = workspace_mount_unit("0a1b2c3d-0000-4000-8000-123456789abc");
        ok(unit && str_has_prefix(unit, WORKSPACE_FS_MARKER "\n"), "the unit starts with the marker --revert looks for");
        ok(unit && strstr(unit, "\nWhat=/dev/disk/by-uuid/0a1b2c3d-0000-4000-8000-123456789abc\n"), "What= by UUID");
        ok(unit && strstr(unit, "\nWhere=/var/lib/nova-agents/workspaces\n"), "Where= the workspaces");
        ok(unit && strstr(unit, "\nOptions=prjquota,nodev,nosuid\n"), "mounted with prjquota");
        ok(unit && strstr(unit, "\nWantedBy=local-fs.target\n"), "mounted at boot");
        return done_testing();
}
