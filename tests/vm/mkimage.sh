#!/bin/bash
# Build (or reuse) the disposable Debian guest the VM suite boots.
#
# Usage: tests/vm/mkimage.sh            prints the cache directory holding
#                                        rootfs.img, vmlinuz (and vmlinux) and initrd.img
#
# NOVA_VM_SUITE picks the Debian release: bookworm (Debian 12, systemd 252,
# kernel 6.1; the default) or trixie (Debian 13, systemd 257, kernel 6.12).
# The image is cached outside the repository in base-SUITE-HASH, keyed by the
# suite, the package list, the recipe version and the guest-side files it
# bakes in, so changing any of those rebuilds it and nothing else does; a
# rebuild deletes the older images of its own suite only.  NOVA_VM_CACHE
# overrides where.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${NOVA_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nova-agent-host/vm}
mirror=${NOVA_VM_MIRROR:-http://deb.debian.org/debian}
suite=${NOVA_VM_SUITE:-bookworm}
case $suite in
bookworm) release='Debian 12 "bookworm" (systemd 252, kernel 6.1)' ;;
trixie) release='Debian 13 "trixie" (systemd 257, kernel 6.12)' ;;
*) echo "mkimage: NOVA_VM_SUITE=$suite: expected bookworm or trixie" >&2; exit 2 ;;
esac

# What the guest needs: systemd as PID 1 and the tools the tests drive.
# No earlyoom, systemd-oomd or zram-tools here: each would act on its own the
# moment the guest boots; the tests that compare against them install them.
# prometheus-node-exporter (fleet-ops.vmt scrapes our metrics through it) is
# installed disabled, so that it runs only in the test that starts it; tmux
# drives `novactl top` on a real terminal there.
# The last line is the runtime libraries of our binaries (built on the host,
# laid over the guest without the .deb): trixie's minimal image does not pull
# libjson-c5 in through systemd.  Every name is the same on bookworm and
# trixie (the sonames did not change: libsystemd0, libmount1, libkmod2,
# libjson-c5); add a case on $suite here if one ever differs.
packages=(
	systemd-sysv udev dbus libpam-systemd libnss-systemd polkitd
	linux-image-amd64 initramfs-tools kmod
	procps psmisc util-linux e2fsprogs strace
	stress-ng python3 nodejs git openssh-server
	prometheus-node-exporter tmux
	libsystemd0 libmount1 libkmod2 libjson-c5
)

# Off in the guest: services no test needs at boot (each test starts what it
# uses, e.g. ssh). With the initramfs cut to the modules that mount the root
# (virtio disk, ext4; MODULES=list instead of "most") and no floppy probe,
# a guest boots sooner, and the suite boots one guest per test. (Not the
# ConditionNeedsUpdate= stamps: they would also skip systemd-sysusers, which
# must create the staged package's group as its postinst would.)
boot_off=(ssh.service e2scrub_reap.service getty@.service systemd-pstore.service
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer)

# Bump when the recipe below changes what ends up in the image.
recipe=4
key=$({ echo "$recipe $suite $mirror"; printf '%s\n' "${packages[@]}";
	cat "$here/guest/preinit" "$here/guest/nova-test-harness.service"; } |
	sha256sum | cut -c1-16)
dir=$cache_root/base-$suite-$key

# One build per suite at a time (make -j runs several VM tests at once); a
# trixie build does not hold up bookworm tests.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-$suite"
flock 9

if [ -s "$dir/rootfs.img" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ]; then
	echo "$dir"
	exit 0
fi

for tool in mmdebstrap mke2fs; do
	command -v "$tool" >/dev/null || { echo "mkimage: $tool not found (apt-get install mmdebstrap e2fsprogs)" >&2; exit 1; }
done

tmp=$(mktemp -d "$cache_root/.build-$suite-XXXXXX")
# An interrupted mmdebstrap can leave /proc, /sys or /dev mounted in the tree:
# unmount those first and never let rm cross into another filesystem.
cleanup() {
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
root=$tmp/root

start=$SECONDS
echo "mkimage: building the $release guest in $dir (a few minutes, once)" >&2
# Check-Valid-Until off: the host's mirror may serve a frozen snapshot.
# The kernel and initrd are taken from /boot, not through the /vmlinuz
# symlinks: whether those exist depends on the release's kernel-img.conf.
mmdebstrap --variant=minbase --mode=root \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--include="$(IFS=,; echo "${packages[*]}")" \
	--customize-hook='echo nova-guest > "$1/etc/hostname"' \
	--customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" > "$1/etc/fstab"' \
	--customize-hook='chroot "$1" passwd -d root' \
	--customize-hook='chroot "$1" sh -c "systemctl disable --quiet prometheus-node-exporter.service \$(cd /lib/systemd/system && ls prometheus-node-exporter-*.timer 2>/dev/null)"' \
	--customize-hook="install -m 0755 '$here/guest/preinit' \"\$1/usr/local/sbin/nova-test-preinit\"" \
	--customize-hook="install -m 0644 '$here/guest/nova-test-harness.service' \"\$1/etc/systemd/system/\"" \
	--customize-hook='ln -s /etc/systemd/system/nova-test-harness.service "$1/etc/systemd/system/multi-user.target.wants/"' \
	--customize-hook="chroot \"\$1\" systemctl disable --quiet ${boot_off[*]}" \
	--customize-hook='printf "blacklist floppy\nblacklist pcspkr\n" > "$1/etc/modprobe.d/nova-vm.conf"' \
	--customize-hook='printf "virtio_pci\nvirtio_blk\next4\n" > "$1/etc/initramfs-tools/modules"' \
	--customize-hook='printf "MODULES=list\n" > "$1/etc/initramfs-tools/conf.d/nova-vm.conf"' \
	--customize-hook='chroot "$1" update-initramfs -u -k all >/dev/null' \
	--customize-hook='cp "$1"/boot/vmlinuz-* "$1/../vmlinuz" && cp "$1"/boot/initrd.img-* "$1/../initrd.img"' \
	"$suite" "$root" "$mirror" >"$tmp/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$tmp/mmdebstrap.log" >&2; echo "mkimage: building the $release guest failed" >&2; exit 1; }

# The kernel once more, uncompressed: an ELF with a PVH entry note boots
# through qemu -kernel directly, which under TCG skips the ~5 s a bzImage
# spends decompressing itself at every boot (measured: 13.5 -> 8.2 s to a
# panic in the initramfs). vm-exec falls back to vmlinuz without it.
extract_vmlinux() {
	local magic cmd off
	for magic in '\xfd7zXZ\x00:xz -dc' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08\x00:gzip -dc'; do
		cmd=${magic#*:}; magic=${magic%%:*}
		command -v "${cmd%% *}" >/dev/null || continue
		off=$(LC_ALL=C grep -obUaP "$magic" "$1" | head -n1 | cut -d: -f1)
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$1" | $cmd >"$2" 2>/dev/null
		readelf -n "$2" 2>/dev/null | grep -Eq 'Xen.*(0x00000012|PHYS32)' && return 0
	done
	rm -f "$2"
	return 1
}
extract_vmlinux "$tmp/vmlinuz" "$tmp/vmlinux" ||
	echo "mkimage: no uncompressed kernel with a PVH note (booting the bzImage, ~5 s slower)" >&2

# 4 GiB sparse: room for the tests' scratch files and journals.
mke2fs -q -t ext4 -L nova-root -d "$root" "$tmp/rootfs.img" 4G >&2
mkdir -p "$dir"
mv "$tmp/rootfs.img" "$tmp/vmlinuz" "$tmp/initrd.img" "$dir/"
[ -e "$tmp/vmlinux" ] && mv "$tmp/vmlinux" "$dir/"
printf '%s\n' "${packages[@]}" > "$dir/packages"
echo "$suite" > "$dir/suite"
# Older images of this suite are unreachable now; they are 1-2 GiB each.
# (base-HASH without a suite: a bookworm image from before NOVA_VM_SUITE.)
olds=("$cache_root/base-$suite-"*)
[ "$suite" = bookworm ] && olds+=("$cache_root"/base-????????????????)
for old in "${olds[@]}"; do
	[ -e "$old" ] && [ "$old" != "$dir" ] && rm -rf --one-file-system "$old"
done
echo "mkimage: built the $release guest in $((SECONDS - start)) s" >&2
echo "$dir"
