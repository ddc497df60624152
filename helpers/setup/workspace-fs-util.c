#include <string.h>

#include "str-util.h"
#include "workspace-fs-util.h"

WorkspaceDeviceAction workspace_device_action(const char *device, const char *fstype, const char *label,
                                              const char *pttype, bool format_flag, char **ret_reason) {
        if (fstype && strcmp(fstype, "ext4") == 0 && label && strcmp(label, WORKSPACE_FS_LABEL) == 0)
                return WORKSPACE_DEVICE_OURS;
        if ((!fstype && !pttype) || format_flag)
                return WORKSPACE_DEVICE_FORMAT;
        if (fstype)
                *ret_reason = str_printf("%s holds a%s %s filesystem%s%s%s: not formatting it without --format-device",
                                         device, strchr("aeiou", fstype[0]) ? "n" : "", fstype, label ? " (label " : "",
                                         label ? label : "", label ? ")" : "");
        else
                *ret_reason = str_printf("%s holds a %s partition table: not formatting it without --format-device "
                                         "(or name a partition)", device, pttype);
        return WORKSPACE_DEVICE_REFUSE;
}

char *workspace_mount_unit(const char *uuid) {
        return str_printf(WORKSPACE_FS_MARKER "\n"
                          "[Unit]\n"
                          "Description=nova agent workspaces (ext4 with project quotas for DiskMax=)\n"
                          "# In local-fs.target: mounted before any service (agents included) starts.\n"
                          "\n"
                          "[Mount]\n"
                          "What=/dev/disk/by-uuid/%s\n"
                          "Where=/var/lib/nova-agents/workspaces\n"
                          "Type=ext4\n"
                          "# prjquota: project quotas enforced (DiskMax=); nodev,nosuid: agents' files are data.\n"
                          "Options=prjquota,nodev,nosuid\n"
                          "\n"
                          "[Install]\n"
                          "WantedBy=local-fs.target\n", uuid);
}
