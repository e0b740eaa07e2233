# shellcheck shell=bash disable=SC2034 # globals shared by the sourced stage files
# The "vendor image" the builder VM starts from: a minimal Debian 12 rootfs
# (debootstrap) with systemd, sshd, cloud-init and a kernel, turned into an
# ext4 disk with mke2fs -d (no loop mounts). It plays the part of the
# provider's stock Ubuntu image. Also collects the .debs the image recipe's
# apt-get needs, for the local mirror (the guest has no internet).
# Sourced after lib.sh and stand-ins.sh.

DEBIAN_MIRROR=${LANTERN_VM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS_SIZE=3G
ROOTFS_PACKAGES=(
  systemd systemd-sysv udev dbus kmod procps less locales
  ifupdown isc-dhcp-client iproute2 netbase
  openssh-server sudo cloud-init python3-cffi-backend
  curl ca-certificates gnupg
  linux-image-amd64 initramfs-tools
  iptables-persistent
)
# What the image recipe installs with apt-get, beyond the rootfs: these and
# their dependencies are downloaded into the mirror, not installed.
MIRROR_PACKAGES=(ca-certificates tzdata nftables wireguard-tools curl gnupg)

# Builder-only trust of the test CA: the recipe downloads the "Lanternet
# CA" (here: the test CA) over https before anything trusts it, as a real
# builder trusts the real server's public CA. image.sh removes this file
# before capture, so routes trust the test CA only through the recipe.
BUILDER_CA_FILE=/usr/local/share/ca-certificates/lantern-vm-builder-ca.crt
MIRROR_KEYRING=/usr/share/keyrings/lantern-vm-test-mirror.gpg

# The boot-time firewall of OCI's Ubuntu images (INPUT rejects all but SSH;
# the file cites its sources), loaded by Debian's netfilter-persistent as
# Ubuntu's loads it: the strictest stock image the recipe meets. Linode's
# and Alibaba's images have no such file.
STOCK_IPTABLES_RULES=$VM_DIR/stubs/oci-ubuntu-rules.v4

# rootfs_key: hash of what shapes the rootfs (these functions and lists,
# the test CA, the mirror key and the stock firewall), not of comments or timeouts.
rootfs_key() {
  {
    declare -f debootstrap_rootfs download_mirror_debs configure_rootfs
    printf '%s\n' "${ROOTFS_PACKAGES[@]}" -- "${MIRROR_PACKAGES[@]}" -- "$BUILDER_CA_FILE" "$MIRROR_KEYRING" "$ROOTFS_SIZE"
    cat "$PKI_DIR/ca.crt" "$PKI_DIR/repo-key.gpg" "$STOCK_IPTABLES_RULES"
  } | sha256sum | cut -c1-16
}

# in_root <dir> <command...>: run inside the rootfs.
in_root() {
  local dir=$1
  shift
  LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$dir" "$@"
}

debootstrap_rootfs() {
  local dir=$1 include
  include=$(IFS=,; echo "${ROOTFS_PACKAGES[*]}")
  mkdir -p "$CACHE_DIR/debootstrap-cache"
  timeout --foreground 1200 debootstrap --variant=minbase --include="$include" \
    --cache-dir="$CACHE_DIR/debootstrap-cache" bookworm "$dir" "$DEBIAN_MIRROR" \
    >"$RUN_DIR/debootstrap.log" 2>&1 || die "debootstrap failed (see $RUN_DIR/debootstrap.log)"
}

# download_mirror_debs <rootfs> <out-dir>: what apt-get install would fetch
# for MIRROR_PACKAGES on this rootfs.
download_mirror_debs() {
  local dir=$1 out=$2
  in_root "$dir" apt-get clean
  in_root "$dir" apt-get -qq -o Acquire::Retries=3 update
  in_root "$dir" apt-get -qq -o Acquire::Retries=3 install --download-only --yes \
    --no-install-recommends "${MIRROR_PACKAGES[@]}" >/dev/null
  mkdir -p "$out"
  find "$dir/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec mv -t "$out" {} +
  in_root "$dir" apt-get clean
  rm -rf "$dir"/var/lib/apt/lists/*
}

configure_rootfs() {
  local dir=$1
  : >"$dir/etc/resolv.conf"
  echo localhost >"$dir/etc/hostname"
  printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$dir/etc/fstab"
  cat >"$dir/etc/cloud/cloud.cfg.d/90-lantern-vm-test.cfg" <<'EOF'
# Vendor-image defaults of the test's stand-in for the provider image.
datasource_list: [NoCloud, None]
locale: C.UTF-8
manage_etc_hosts: true
EOF
  install -m 0644 "$PKI_DIR/repo-key.gpg" "$dir$MIRROR_KEYRING"
  printf 'deb [signed-by=%s] %s/debian bookworm main\n' "$MIRROR_KEYRING" "$GUEST_URL" \
    >"$dir/etc/apt/sources.list"
  install -m 0644 "$PKI_DIR/ca.crt" "$dir$BUILDER_CA_FILE"
  # iptables-persistent's postinst saves what iptables-save prints when its
  # autosave_v4/_v6 questions are true, their default (Debian's
  # iptables-persistent 1.0.20, postinst and templates), which in a chroot
  # is the build host's own rules; the stock image's replace them.
  install -m 0640 "$STOCK_IPTABLES_RULES" "$dir/etc/iptables/rules.v4"
  rm -f "$dir/etc/iptables/rules.v6"
  in_root "$dir" update-ca-certificates >>"$RUN_DIR/debootstrap.log" 2>&1
}

# drop_rootfs_dir <dir>: remove a (possibly half-built) rootfs; a killed
# debootstrap can leave /proc or /sys mounted inside it.
drop_rootfs_dir() {
  local m
  [ -e "$1" ] || return 0
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$1"
}

# build_rootfs: sets KERNEL, INITRD, ROOTFS_IMG, MIRROR_DEBS (cached).
build_rootfs() {
  local out t0 dir
  out=$CACHE_DIR/rootfs-$(rootfs_key)
  KERNEL=$out/vmlinuz INITRD=$out/initrd.img ROOTFS_IMG=$out/rootfs.ext4 MIRROR_DEBS=$out/mirror-debs
  if [ -s "$ROOTFS_IMG" ]; then
    log "rootfs: cached $out"
    return 0
  fi
  t0=$(now)
  dir=$CACHE_DIR/tmp/rootfs
  prune_cache rootfs "$out"
  drop_rootfs_dir "$dir"
  mkdir -p "$out.partial"
  log "rootfs: debootstrap bookworm (minbase + ${#ROOTFS_PACKAGES[@]} packages)"
  debootstrap_rootfs "$dir"
  download_mirror_debs "$dir" "$out.partial/mirror-debs"
  configure_rootfs "$dir"
  cp "$dir"/boot/vmlinuz-* "$out.partial/vmlinuz"
  cp "$dir"/boot/initrd.img-* "$out.partial/initrd.img"
  mke2fs -q -t ext4 -L rootfs -d "$dir" "$out.partial/rootfs.ext4" "$ROOTFS_SIZE" >>"$RUN_DIR/debootstrap.log" 2>&1
  drop_rootfs_dir "$dir"
  rm -rf "$out"
  mv "$out.partial" "$out"
  timing "rootfs build (debootstrap + mke2fs)" "$(elapsed "$t0")"
}
