#!/bin/bash
# Build (or reuse) the disposable Debian 12 guest the VM suite boots.
#
# Usage: tests/vm/mkimage.sh            prints the cache directory holding
#                                        rootfs.img, vmlinuz and initrd.img
#
# The image is cached outside the repository, keyed by a hash of the package
# list, the recipe version and the guest-side files it bakes in, so changing
# any of those rebuilds it and nothing else does.  NOVA_VM_CACHE overrides where.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${NOVA_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nova-agent-host/vm}
mirror=${NOVA_VM_MIRROR:-http://deb.debian.org/debian}

# What the guest needs: systemd as PID 1 and the tools the tests drive.
# No earlyoom, systemd-oomd or zram-tools here: each would act on its own the
# moment the guest boots; the tests that compare against them install them.
packages=(
	systemd-sysv udev dbus libpam-systemd polkitd
	linux-image-amd64 initramfs-tools kmod
	procps psmisc util-linux e2fsprogs strace
	stress-ng python3 nodejs git openssh-server
	libsystemd0 libmount1 libkmod2 libjson-c5
)

# Bump when the recipe below changes what ends up in the image.
recipe=1
key=$({ echo "$recipe $mirror"; printf '%s\n' "${packages[@]}";
	cat "$here/guest/preinit" "$here/guest/nova-test-harness.service"; } |
	sha256sum | cut -c1-16)
dir=$cache_root/base-$key

# One build at a time: make -j runs several VM tests at once.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9

if [ -s "$dir/rootfs.img" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ]; then
	echo "$dir"
	exit 0
fi

for tool in mmdebstrap mke2fs; do
	command -v "$tool" >/dev/null || { echo "mkimage: $tool not found (apt-get install mmdebstrap e2fsprogs)" >&2; exit 1; }
done

tmp=$(mktemp -d "$cache_root/.build-XXXXXX")
# An interrupted mmdebstrap can leave /proc, /sys or /dev mounted in the tree:
# unmount those first and never let rm cross into another filesystem.
cleanup() {
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
root=$tmp/root

echo "mkimage: building the Debian 12 guest in $dir (a few minutes, once)" >&2
# Check-Valid-Until off: the host's mirror may serve a frozen snapshot.
mmdebstrap --variant=minbase --mode=root \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--include="$(IFS=,; echo "${packages[*]}")" \
	--customize-hook='echo nova-guest > "$1/etc/hostname"' \
	--customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" > "$1/etc/fstab"' \
	--customize-hook='chroot "$1" passwd -d root' \
	--customize-hook="install -m 0755 '$here/guest/preinit' \"\$1/usr/local/sbin/nova-test-preinit\"" \
	--customize-hook="install -m 0644 '$here/guest/nova-test-harness.service' \"\$1/etc/systemd/system/\"" \
	--customize-hook='ln -s /etc/systemd/system/nova-test-harness.service "$1/etc/systemd/system/multi-user.target.wants/"' \
	--customize-hook='cp -L "$1/vmlinuz" "$1/initrd.img" "$1/.."' \
	bookworm "$root" "$mirror" >"$tmp/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$tmp/mmdebstrap.log" >&2; exit 1; }

# 4 GiB sparse: room for the tests' scratch files and journals.
mke2fs -q -t ext4 -L nova-root -d "$root" "$tmp/rootfs.img" 4G >&2
mkdir -p "$dir"
mv "$tmp/rootfs.img" "$tmp/vmlinuz" "$tmp/initrd.img" "$dir/"
printf '%s\n' "${packages[@]}" > "$dir/packages"
# Older images are unreachable now; they are 1-2 GiB each.
for old in "$cache_root"/base-*; do
	[ "$old" = "$dir" ] || rm -rf --one-file-system "$old"
done
echo "$dir"
