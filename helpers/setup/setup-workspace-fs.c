/* Step "workspace-fs" (issue 15). Without --workspace-device: says whether
 * the workspaces' filesystem enforces project quotas, i.e. whether
 * DiskMax= works (information, never drift). With --workspace-device DEV:
 * an ext4 with project quotas on DEV (formatted only when blank, or with
 * --format-device), mounted at the workspaces through WORKSPACE_FS_UNIT in
 * /etc/systemd/system, enabled. --revert unmounts it and removes the unit;
 * the data stays on the device. */

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file-util.h"
#include "project-quota.h"
#include "setup.h"
#include "str-util.h"
#include "workspace-fs-util.h"

#define UNIT_PATH "/etc/systemd/system/" WORKSPACE_FS_UNIT

typedef struct Probe {
        char *fstype, *label, *uuid, *pttype;
} Probe;

static void probe_done(Probe *p) {
        free(p->fstype);
        free(p->label);
        free(p->uuid);
        free(p->pttype);
}

static char *probe_value(blkid_probe pr, const char *name) {
        const char *v = NULL;
        return blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v ? strdup(v) : NULL;
}

/* Every signature on the device (filesystems, RAID, partition tables). */
static int probe_device(const char *device, Probe *ret) {
        blkid_probe pr = blkid_new_probe_from_filename(device);
        int r;

        if (!pr)
                return errno > 0 ? -errno : -EIO;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
        blkid_probe_enable_partitions(pr, 1);
        r = blkid_do_safeprobe(pr);
        *ret = (Probe) {};
        if (r == 0) {
                ret->fstype = probe_value(pr, "TYPE");
                ret->label = probe_value(pr, "LABEL");
                ret->uuid = probe_value(pr, "UUID");
                ret->pttype = probe_value(pr, "PTTYPE");
                if (!ret->fstype && !ret->pttype)
                        ret->fstype = strdup("unknown"); /* a signature blkid could not name */
        }
        if (r == -2)
                ret->fstype = strdup("ambivalent"); /* several signatures: certainly not blank */
        blkid_free_probe(pr);
        return r == -1 ? -EIO : 0;
}

static int run_mkfs(const char *device) {
        char *argv[] = { (char *) "mkfs.ext4", (char *) "-q", (char *) "-F", (char *) "-L", (char *) WORKSPACE_FS_LABEL,
                         (char *) "-O", (char *) "project,quota", (char *) "-E", (char *) "quotatype=prjquota",
                         (char *) device, NULL };
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static bool dir_empty_at(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_(closedirp) DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return false;
        }
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        return false;
        return true;
}

/* Whether the workspaces directory holds anything a mount over it would
 * hide (empty slot directories hide nothing; the pool step makes new ones). */
static bool holds_data(const char *dir) {
        _cleanup_(closedirp) DIR *d = opendir(dir);

        if (!d)
                return false;
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && !dir_empty_at(dirfd(d), de->d_name))
                        return true;
        return false;
}

/* What DiskMax= would meet on the workspaces' filesystem. */
static int report_quota(char **ret_reason) {
        _cleanup_(closep) int fd = open(SETUP_WORKSPACES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const char *why = NULL;

        if (fd < 0)
                fd = open(LOCALSTATEDIR "/lib", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = fd < 0 ? -errno : project_quota_supported(fd, &why);
        if (r == 0)
                *ret_reason = strdup("DiskMax= can be enforced: project quotas on the workspaces' filesystem");
        else
                *ret_reason = str_printf("DiskMax= cannot be enforced: %s (--workspace-device DEV makes a filesystem "
                                         "that can)", r == -EOPNOTSUPP ? why : strerror(-r));
        return 0;
}

/* Ours: the unit file exists and begins with our marker line. */
static bool unit_is_ours(void) {
        _cleanup_(freep) char *text = NULL;

        return read_file_full(UNIT_PATH, 4096, &text, NULL) >= 0 && str_has_prefix(text, WORKSPACE_FS_MARKER "\n");
}

static int format_and_write_unit(Setup *s, bool format, char **ret_reason) {
        _cleanup_(probe_done) Probe p = {};
        _cleanup_(freep) char *unit = NULL, *err = NULL;
        int r;

        if (format) {
                if (holds_data(SETUP_WORKSPACES))
                        return error_set(ret_reason, -ENOTEMPTY, "%s holds workspaces a mount would hide: move them "
                                         "away first", SETUP_WORKSPACES);
                r = run_mkfs(s->workspace_device);
                if (r < 0)
                        return error_set(ret_reason, r, "mkfs.ext4 on %s failed", s->workspace_device);
        }
        r = probe_device(s->workspace_device, &p);
        if (r < 0 || !p.uuid)
                return error_set(ret_reason, r < 0 ? r : -EIO, "%s: no filesystem UUID after mkfs", s->workspace_device);
        unit = workspace_mount_unit(p.uuid);
        if (!unit)
                return -ENOMEM;
        r = write_file_atomic(UNIT_PATH, unit, strlen(unit), 0644);
        if (r < 0)
                return error_set(ret_reason, r, "%s: %s", UNIT_PATH, strerror(-r));
        r = bus_manager_reload(s->bus, &err);
        if (r < 0)
                return error_set(ret_reason, r, "reloading systemd: %s", err ? err : strerror(-r));
        return 0;
}

static int apply(Setup *s, bool format, bool write_unit, bool enabled, bool active, char **ret_reason) {
        char *units[] = { (char *) WORKSPACE_FS_UNIT, NULL };
        _cleanup_(freep) char *err = NULL;
        int r;

        if ((format || write_unit) && (r = format_and_write_unit(s, format, ret_reason)) < 0)
                return r;
        if (!enabled && (r = bus_unit_files(s->bus, "EnableUnitFiles", units, &err)) < 0)
                return error_set(ret_reason, r, "enabling %s: %s", WORKSPACE_FS_UNIT, err ? err : strerror(-r));
        s->need_reload = s->need_reload || !enabled;
        if (!active && (r = bus_unit_job(s->bus, "StartUnit", WORKSPACE_FS_UNIT, &err)) < 0)
                return error_set(ret_reason, r, "mounting %s: %s", SETUP_WORKSPACES, err ? err : strerror(-r));
        /* The root of a new filesystem is 0755: the workspaces' parent is 0711. */
        if (chmod(SETUP_WORKSPACES, 0711) < 0)
                return error_set(ret_reason, -errno, "%s: %s", SETUP_WORKSPACES, strerror(errno));
        return 0;
}

int step_workspace_fs(Setup *s, char **ret_reason) {
        _cleanup_(freep) char *state = NULL, *active = NULL, *refusal = NULL, *reason = NULL;
        _cleanup_(probe_done) Probe p = {};
        int r;

        if (!s->workspace_device)
                return report_quota(ret_reason);
        r = probe_device(s->workspace_device, &p);
        if (r < 0)
                return error_set(ret_reason, r, "cannot probe %s: %s", s->workspace_device, strerror(-r));
        WorkspaceDeviceAction a = workspace_device_action(s->workspace_device, p.fstype, p.label, p.pttype,
                                                          s->format_device, &refusal);
        if (a == WORKSPACE_DEVICE_REFUSE)
                return error_set(ret_reason, -EEXIST, "%s", refusal ? refusal : "refused");
        bool ours = unit_is_ours();
        bool enabled = ours && bus_unit_file_state(s->bus, WORKSPACE_FS_UNIT, &state) >= 0 && strcmp(state, "enabled") == 0;
        bool mounted = ours && bus_unit_property(s->bus, WORKSPACE_FS_UNIT, "org.freedesktop.systemd1.Unit",
                                                 "ActiveState", &active) >= 0 && strcmp(active, "active") == 0;
        if (a == WORKSPACE_DEVICE_OURS && ours && enabled && mounted)
                return report_quota(ret_reason) < 0 ? -ENOMEM : 0;
        if (a == WORKSPACE_DEVICE_FORMAT)
                reason_append(&reason, "format %s as ext4 with project quotas", s->workspace_device);
        if (!ours || a == WORKSPACE_DEVICE_FORMAT)
                reason_append(&reason, "write %s", UNIT_PATH);
        if (!enabled)
                reason_append(&reason, "enable it");
        if (!mounted)
                reason_append(&reason, "mount %s", SETUP_WORKSPACES);
        if (setup_writes(s)) {
                r = apply(s, a == WORKSPACE_DEVICE_FORMAT, !ours || a == WORKSPACE_DEVICE_FORMAT, enabled, mounted,
                          ret_reason);
                if (r < 0)
                        return r;
        }
        *ret_reason = TAKE_PTR(reason);
        return 1;
}

int step_workspace_fs_revert(Setup *s, char **ret_reason) {
        char *units[] = { (char *) WORKSPACE_FS_UNIT, NULL };
        _cleanup_(freep) char *err = NULL;
        int r;

        if (!unit_is_ours()) {
                *ret_reason = strdup("no workspace filesystem of ours");
                return 0;
        }
        /* Agents still running keep it busy: the job fails and is reported. */
        r = bus_unit_job(s->bus, "StopUnit", WORKSPACE_FS_UNIT, &err);
        if (r < 0)
                return error_set(ret_reason, r, "unmounting %s: %s", SETUP_WORKSPACES, err ? err : strerror(-r));
        r = bus_unit_files(s->bus, "DisableUnitFiles", units, &err);
        if (r < 0)
                return error_set(ret_reason, r, "disabling %s: %s", WORKSPACE_FS_UNIT, err ? err : strerror(-r));
        if (unlink(UNIT_PATH) < 0 && errno != ENOENT)
                return error_set(ret_reason, -errno, "%s: %s", UNIT_PATH, strerror(errno));
        s->need_reload = true;
        *ret_reason = str_printf("unmounted %s and removed %s; the data stays on the device", SETUP_WORKSPACES,
                                 WORKSPACE_FS_UNIT);
        return 1;
}
