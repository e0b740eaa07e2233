#!/bin/bash
# Clean the builder for image capture (the recipe's last step, without the
# power-off: the caller powers the VM off and captures the disk).
#
# Usage (as root, after provision.sh succeeded):
#   sudo bash /tmp/lantern-image/clean-for-capture.sh
#
# Safe over SSH: the running sshd and the caller's session survive the
# removal of the host keys and authorized_keys; run nothing else on the
# builder afterwards. Every instance booted from the image then runs its own
# cloud-init (new instance id, new machine-id, new SSH host keys, its own
# user-data).
set -Eeuo pipefail

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[image] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
step() { log "step=$1"; }
trap 'log "ERROR: command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

empty_dir() { # <dir> [find predicates to keep entries]: remove its contents
  local dir=$1
  shift
  [ -d "$dir" ] || return 0
  find "$dir" -mindepth 1 -maxdepth 1 "$@" -exec rm -rf -- {} +
}

# Everything runs from main, parsed in full before it starts: this file
# itself lives under /tmp, which is emptied below.
main() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo bash $0)"

  step clean-services
  # Stopped by provision.sh already; make sure nothing writes state that
  # must not be captured (journal cursors, a Tailscale node key).
  systemctl stop otelcol-contrib.service tailscaled.service
  empty_dir /var/lib/otelcol-contrib
  empty_dir /var/lib/tailscale

  step clean-apt
  apt-get clean
  empty_dir /var/lib/apt/lists
  install -d -m 0755 /var/lib/apt/lists/partial

  step clean-cloud-init
  # --seed: without it /var/lib/cloud/seed survives (canonical/cloud-init
  # cloudinit/cmd/clean.py, remove_artifacts), and a seed baked into the
  # image (a stock image installed with one) would stop instances from
  # reading their own datasource. --logs removes cloud-init's log files.
  cloud-init clean --logs --seed

  step clean-ssh
  rm -f /etc/ssh/ssh_host_*
  # The builder's login keys must not open every instance; instances get
  # theirs from cloud-init.
  rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys
  # Root never logs in on a route. Builders log in as root on Linode and
  # alicloud (their stock images' login), and sshd reads its config for every
  # new connection, so provision.sh keeps `prohibit-password` for the build
  # and this last session closes root logins in the image for good.
  sed -i 's/^PermitRootLogin .*/PermitRootLogin no/' /etc/ssh/sshd_config.d/10-lantern-hardening.conf
  grep -qx 'PermitRootLogin no' /etc/ssh/sshd_config.d/10-lantern-hardening.conf ||
    die "the SSH hardening drop-in does not say PermitRootLogin no"

  step clean-history
  rm -f /root/.bash_history /root/.lesshst /root/.viminfo /root/.python_history \
    /root/.wget-hsts /home/*/.bash_history /home/*/.lesshst /home/*/.viminfo \
    /home/*/.python_history /home/*/.wget-hsts

  step clean-tmp
  # systemd-private-* belong to running services; boot recreates them.
  empty_dir /tmp ! -name 'systemd-private-*'
  empty_dir /var/tmp ! -name 'systemd-private-*'

  step clean-logs
  # Truncate, not delete: services keep their open log files. The journal
  # is binary: rotate and vacuum it instead of truncating it.
  find /var/log -path /var/log/journal -prune -o -type f \
    \( -name '*.gz' -o -name '*.[0-9]' -o -name '*.old' \) -exec rm -f -- {} +
  find /var/log -path /var/log/journal -prune -o -type f -exec truncate -s 0 -- {} +
  if systemctl is-active --quiet systemd-journald.service; then
    journalctl --rotate
    journalctl --vacuum-time=1s
  elif [ -d /var/log/journal ]; then
    find /var/log/journal -type f -name '*.journal*' -delete
  fi

  step clean-identity
  truncate -s 0 /etc/machine-id
  if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then
    rm -f /var/lib/dbus/machine-id
  fi
  # Stopped first: the unit's ExecStop saves a new seed at the power-off
  # (systemd-random-seed.service(8): remove the seed from replicated images).
  systemctl stop systemd-random-seed.service
  rm -f /var/lib/systemd/random-seed
  rm -f /var/lib/dhcp/*.leases
  # dhcpcd, cloud-init's first DHCP client on Ubuntu 24.04 (cloudinit/net/dhcp.py
  # ALL_DHCP_CLIENTS), keeps its DUID here, which dhcpcd(8) says must not be copied.
  empty_dir /var/lib/dhcpcd

  sync
  step clean-finished
}

main "$@"
