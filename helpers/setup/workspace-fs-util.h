#pragma once

/* nova-setup-host --workspace-device (issue 15): the pure decisions, for
 * unit tests. The step itself is setup-workspace-fs.c. */

#include <stdbool.h>

#define WORKSPACE_FS_LABEL "nova-workspaces"
/* systemd's name for a mount at SETUP_WORKSPACES ('-' escaped as \x2d). */
#define WORKSPACE_FS_UNIT "var-lib-nova\\x2dagents-workspaces.mount"
/* The first line of the unit file we write: what --revert may remove. */
#define WORKSPACE_FS_MARKER "# Written by nova-setup-host --workspace-device; --revert removes it."

typedef enum WorkspaceDeviceAction {
        WORKSPACE_DEVICE_FORMAT,  /* blank (or --format-device): mkfs */
        WORKSPACE_DEVICE_OURS,    /* our ext4 already: keep it */
        WORKSPACE_DEVICE_REFUSE,  /* holds something else */
} WorkspaceDeviceAction;

/* From blkid's probe of the device (fstype, label, partition table type;
 * NULL: none found): what to do, and for REFUSE a reason (allocated). */
WorkspaceDeviceAction workspace_device_action(const char *device, const char *fstype, const char *label,
                                              const char *pttype, bool format_flag, char **ret_reason);

/* The .mount unit's text for the filesystem with this UUID; NULL on ENOMEM. */
char *workspace_mount_unit(const char *uuid);
