#!/bin/bash
# Build the version-agnostic lantern-box base image on a freshly booted
# builder VM (Ubuntu 24.04 amd64/arm64 on the clouds; Debian 12 in the VM
# test). Every build step but the clean-up for capture (clean-for-capture.sh). lantern-box itself is NOT
# installed: the release is chosen at first boot by cloud-init user-data.
#
# Usage (as root, from a copy of this whole folder, e.g. /tmp/lantern-image/):
#   sudo env LANTERN_CA_CERT_URL=https://... bash /tmp/lantern-image/provision.sh
#   sudo bash /tmp/lantern-image/provision.sh --self-check   # the self-check only
# then, before capture:
#   sudo bash /tmp/lantern-image/clean-for-capture.sh
#
# Run it over SSH, not from the builder's own user-data: step 1 waits for
# the builder's cloud-init to finish.
#
# Parameters (environment; production defaults in brackets):
#   LANTERN_OTELCOL_VERSION     otelcol-contrib version, digits and dots [0.162.0]
#   LANTERN_OTELCOL_BASE_URL    release root; the .deb and the checksum file are
#                               under <base>/v<version>/
#                               [https://github.com/open-telemetry/opentelemetry-collector-releases/releases/download]
#   LANTERN_TAILSCALE_REPO_URL  Tailscale apt repository root [https://pkgs.tailscale.com/stable]
#   LANTERN_CA_CERT_URL         Lanternet CA certificate (PEM) [required, no default]
#   LANTERN_CA_CERT_SHA256      pinned sha256 of that certificate
#                               [c9d283c11de3b7d38f1eb38fabcfbcff9b77f302d3eaf506ae691bb14cca792d]
#   LANTERN_OTLP_ENDPOINT       OTLP/HTTP endpoint of the collector's exporter
#                               [https://ops.lantr.net:443]
# URLs must be https (no query strings or shell metacharacters); every
# download is verified (sha256) before use, but for the Tailscale
# repository's signing key, which is trusted on HTTPS alone (it signs the
# repository's index, which apt then verifies). Each step logs
# "[image] step=<name>" to stderr; any failure exits non-zero.
set -Eeuo pipefail

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
# Ubuntu's needrestart apt hook would restart services (sshd included)
# in the middle of the build; nothing here needs a restart.
export NEEDRESTART_SUSPEND=1

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR

: "${LANTERN_OTELCOL_VERSION:=0.162.0}"
: "${LANTERN_OTELCOL_BASE_URL:=https://github.com/open-telemetry/opentelemetry-collector-releases/releases/download}"
: "${LANTERN_TAILSCALE_REPO_URL:=https://pkgs.tailscale.com/stable}"
: "${LANTERN_CA_CERT_URL:=}"
: "${LANTERN_CA_CERT_SHA256:=c9d283c11de3b7d38f1eb38fabcfbcff9b77f302d3eaf506ae691bb14cca792d}"
: "${LANTERN_OTLP_ENDPOINT:=https://ops.lantr.net:443}"

readonly CLOUD_INIT_TIMEOUT=600
# The config schema's URL pattern (stacks/patterns.ts, tested equal): lowercase host, no
# query, fragment, credentials, percent-escapes or trailing slash.
readonly HTTPS_URL_RE='^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*$'
readonly VERSION_RE='^[0-9]+\.[0-9]+\.[0-9]+$'
readonly SHA256_RE='^[0-9a-f]{64}$'

readonly APT_DROPIN=/etc/apt/apt.conf.d/80lantern-robust
# How long apt_update waits for another apt's hold on the package lists:
# as long as DPkg::Lock::Timeout waits for dpkg's.
readonly APT_LISTS_LOCK_WAIT=300
# cloud-init is on every stock image; naming it takes the archive's newest
# (see cloud_init_reads_user_data).
readonly RUNTIME_PACKAGES=(ca-certificates tzdata nftables wireguard-tools cloud-init)
# What the recipe itself uses: downloads, sudo for the management user, sshd -t.
readonly RECIPE_PACKAGES=(curl sudo openssh-server)
readonly APT_UNITS=(apt-daily.service apt-daily.timer apt-daily-upgrade.service apt-daily-upgrade.timer)

readonly OTELCOL_DIR=/etc/otelcol-contrib
readonly OTELCOL_CONFIG=$OTELCOL_DIR/config.yaml
readonly OTELCOL_ENV=$OTELCOL_DIR/otelcol.env
readonly OTELCOL_DROPIN_DIR=/etc/systemd/system/otelcol-contrib.service.d
readonly OTELCOL_STATE_DIR=/var/lib/otelcol-contrib

readonly LB_OTEL_ENV=/etc/lantern-box/otel.env
readonly LB_DROPIN=/etc/systemd/system/lantern-box.service.d/otel.conf
readonly LB_CONFINE_DROPIN=/etc/systemd/system/lantern-box.service.d/confine.conf
# The nftables table that keeps lantern-box.service from instance metadata
# (the addresses and their sources are in the file).
readonly METADATA_BLOCK_NFT=/usr/local/lib/lantern/metadata-block.nft
readonly METADATA_BLOCK_LOAD="ExecStartPre=+/usr/sbin/nft -f $METADATA_BLOCK_NFT"
# Where first boot's secrets rest on disk: cloud-init's copies of the
# user-data and instance data, the SSH host keys, Tailscale's state.
readonly SECRET_PATHS="-/var/lib/cloud -/run/cloud-init -/etc/ssh -/var/lib/tailscale -/run/tailscale -/run/lantern"
readonly LB_CAPABILITY_BOUNDS="CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE"
readonly LB_AMBIENT_CAPABILITIES="AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE"

readonly MGMT_USER=lantern
readonly SUDOERS_FILE=/etc/sudoers.d/90-lantern
# 10- sorts before cloud-init's 50-cloud-init.conf; sshd keeps the first
# value it reads for a keyword, so these settings win.
readonly SSHD_DROPIN=/etc/ssh/sshd_config.d/10-lantern-hardening.conf

readonly TS_KEYRING=/usr/share/keyrings/tailscale-archive-keyring.gpg
readonly TS_LIST=/etc/apt/sources.list.d/tailscale.list

# Rules netfilter-persistent loads at boot, where a stock image has them
# (OCI's Ubuntu images do: step_host_firewall), and the rule that would
# reject what the route's cloud firewall lets in: INPUT's last word, a
# REJECT or DROP that matches everything (iptables-save may prefix a rule
# with its counters, and a rule may carry a comment match).
readonly BOOT_IPTABLES_RULES=(/etc/iptables/rules.v4 /etc/iptables/rules.v6)
readonly CATCH_ALL_INPUT_RE='^(\[[0-9]+:[0-9]+\] )?-A INPUT (-m comment --comment ("[^"]*"|[^ ]+) )?-j (REJECT|DROP)( |$)'

readonly CA_FILE=/usr/local/share/ca-certificates/lanternet-ca.crt
readonly CA_LINK=/etc/ssl/certs/lanternet-ca.pem

WORKDIR=""

log() { printf '[image] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
step() { log "step=$1"; }
trap 'log "ERROR: command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
trap '[ -z "$WORKDIR" ] || rm -rf -- "$WORKDIR"' EXIT

# ---------------------------------------------------------------- helpers

require_match() { # <variable name> <regex>
  local name=$1 re=$2 LC_ALL=C # byte-wise ranges in the patterns, as in the install script
  [[ ${!name} =~ $re ]] || die "$name='${!name}' is invalid: it must match $re"
}

validate_parameters() {
  require_match LANTERN_OTELCOL_VERSION "$VERSION_RE"
  require_match LANTERN_OTELCOL_BASE_URL "$HTTPS_URL_RE"
  require_match LANTERN_TAILSCALE_REPO_URL "$HTTPS_URL_RE"
  [ -n "$LANTERN_CA_CERT_URL" ] ||
    die "LANTERN_CA_CERT_URL is required: the https URL of the Lanternet CA certificate"
  require_match LANTERN_CA_CERT_URL "$HTTPS_URL_RE"
  require_match LANTERN_CA_CERT_SHA256 "$SHA256_RE"
  require_match LANTERN_OTLP_ENDPOINT "$HTTPS_URL_RE"
}

fetch() { # <url> <destination file>
  log "download $1"
  curl --fail --silent --show-error --location \
    --proto '=https' --proto-redir '=https' --tlsv1.2 \
    --connect-timeout 20 --max-time 600 \
    --retry 5 --retry-delay 5 --retry-connrefused \
    --output "$2" "$1" || die "download failed: $1"
}

verify_sha256() { # <file> <expected sha256> <what>
  local actual
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$actual" = "$2" ] || die "sha256 mismatch for $3: expected $2, got $actual"
  log "sha256 ok: $3"
}

# `apt-get update` takes the package lists' lock without waiting (Debian
# apt, apt-pkg/acquire.cc pkgAcquire::GetLock -> apt-pkg/contrib/fileutl.cc
# GetLock: fcntl F_SETLK, "Could not get lock %s"); DPkg::Lock::Timeout
# covers dpkg's lock only. A fresh instance can have another apt holding
# it: OCI's Oracle Cloud Agent (canonical/cloud-init 3da7eca, #6084: "The
# Oracle Cloud Agent holds the apt lock", retried there for 5 minutes), or
# an apt-daily run the masking let finish. So it is retried while, and only
# while, the lock is what failed.
apt_update() {
  local deadline=$((SECONDS + APT_LISTS_LOCK_WAIT)) err=$WORKDIR/apt-update.err
  until LC_ALL=C apt-get update 2>"$err"; do
    cat "$err" >&2
    if ! grep -q 'Could not get lock' "$err" || ((SECONDS >= deadline)); then
      die "apt-get update failed (above)"
    fi
    log "apt: the package lists are locked by another apt; retrying in 5 s"
    sleep 5
  done
  cat "$err" >&2
}

# apt timeouts, retries and lock waits come from $APT_DROPIN (step 2), not
# from -o flags here: the drop-in also covers apt calls made after the
# image is captured (first-boot install, hot-swap, operators by hand).
apt_install() { # <package or local .deb path>...
  apt-get install -y --no-install-recommends "$@"
}

write_file() { # <mode> <path>; content on stdin, owned by root
  local mode=$1 path=$2 dir
  dir=$(dirname -- "$path")
  # A missing directory is made 0755; an existing one keeps its mode (install -d would reset it).
  [ -d "$dir" ] || install -d -m 0755 "$dir"
  (umask 077 && cat >"$path")
  chown root:root "$path"
  chmod "$mode" "$path"
}

pkg_installed() {
  # shellcheck disable=SC2016 # ${...} is a dpkg-query format, not a shell expansion
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

os_release() { # <field>, e.g. ID or VERSION_CODENAME
  (
    # shellcheck source=/dev/null
    . /etc/os-release
    printf '%s' "${!1:-}"
  )
}

cloud_init_status() {
  cloud-init status 2>/dev/null | sed -n 's/^status: *//p' || true
}

sshd_test() {
  command -v sshd >/dev/null || return 1
  # sshd -t wants its privilege-separation directory, which only exists
  # while the ssh service (or Ubuntu's socket-activated instance) runs.
  [ -d /run/sshd ] || install -d -m 0755 /run/sshd
  sshd -t
}

otelcol_validate() {
  (
    set -a
    # shellcheck source=/dev/null
    . "$OTELCOL_ENV"
    set +a
    otelcol-contrib validate --config="$OTELCOL_CONFIG"
  )
}

# ------------------------------------------------------------------ steps

step_wait_cloud_init() {
  step wait-cloud-init
  command -v cloud-init >/dev/null ||
    die "cloud-init is not installed on the builder; the image needs it to run instance user-data"
  timeout "$CLOUD_INIT_TIMEOUT" cloud-init status --wait >/dev/null 2>&1 || true
  # cloud-init 22.4's `status --wait` can return before the final stage
  # after an earlier error: boot-finished is written by that final stage.
  local deadline=$((SECONDS + CLOUD_INIT_TIMEOUT)) status
  while :; do
    status=$(cloud_init_status)
    [ "$status" != disabled ] || die "cloud-init is disabled on the builder"
    if [ -e /var/lib/cloud/instance/boot-finished ] &&
      [ "$status" != running ] && [ "$status" != "not started" ] && [ "$status" != "not run" ]; then
      break
    fi
    ((SECONDS < deadline)) ||
      die "cloud-init not finished after ${CLOUD_INIT_TIMEOUT}s (status '${status:-unknown}')"
    sleep 2
  done
  if [ "$status" != "done" ]; then
    cloud-init status --long >&2 || true
    die "builder cloud-init ended with status '${status:-unknown}', expected 'done'"
  fi
  log "cloud-init status: done"
}

step_apt_hygiene() {
  step apt-hygiene
  write_file 0644 "$APT_DROPIN" <<'EOF'
// Written by the lantern-box image recipe. A slow or broken mirror must
// fail an apt call, not hang it; a held dpkg lock is waited for, not fatal.
DPkg::Lock::Timeout "300";
Acquire::Retries "5";
Acquire::http::Timeout "30";
Acquire::https::Timeout "30";
// Never prompt about changed configuration files: keep the local one.
Dpkg::Options { "--force-confdef"; "--force-confold"; };
EOF
  # Stop the timers first so no new run starts; a run already in progress
  # finishes: the purge below waits for dpkg's lock (DPkg::Lock::Timeout),
  # apt_update for the package lists'.
  systemctl mask --now apt-daily.timer apt-daily-upgrade.timer
  systemctl mask apt-daily.service apt-daily-upgrade.service
  if pkg_installed unattended-upgrades; then
    apt-get purge -y unattended-upgrades
  fi
}

step_runtime_packages() {
  step runtime-packages
  apt_update
  apt_install "${RUNTIME_PACKAGES[@]}" "${RECIPE_PACKAGES[@]}"
  # Root's only: cloud-init writes config.json (the route's secret config)
  # with the default umask and sets its 0600 only afterwards
  # (canonical/cloud-init cloudinit/util.py, write_file: open, then chmod).
  # lantern-box runs as root and its package ships nothing here.
  install -d -m 0700 -o root -g root /etc/lantern-box
  install -d -m 0755 -o root -g root /var/lib/lantern-box
}

# OCI's Canonical Ubuntu platform images ship /etc/iptables/rules.v4,
# loaded at boot by netfilter-persistent, whose INPUT chain ends in a
# catch-all REJECT: only SSH gets in ("By default VM instances are limited
# by their host firewalls to accepting SSH traffic only",
# blogs.oracle.com/developers/post/enabling-network-traffic-to-ubuntu-images-in-oracle-cloud-infrastructure;
# the file as users posted it: k3s-io/k3s#977, canonical/microk8s#854;
# this very rule's removal: canonical/microk8s#1692). A route's
# inbound policy is its cloud firewall's (Linode Firewall, security group,
# NSG), built from the stack's `ingress` config; that rule would reject the
# proxy ports it opens. So the catch-all goes, and nothing else: Oracle's
# InstanceServices chain (link-local iSCSI, metadata, DNS; root only where
# it must be) stays, as docs.oracle.com/iaas/Content/Compute/References/
# bestpracticescompute.htm ("Essential Firewall Rules") requires. Images
# without such a file (Linode's, Alibaba's) are left as they are.
open_inbound_to_cloud_firewall() { # <iptables-save file>: prints how many rules it removed
  local before
  before=$(grep -Ec "$CATCH_ALL_INPUT_RE" "$1" || true)
  sed -i -E "/$CATCH_ALL_INPUT_RE/d" "$1"
  printf '%s\n' "$before"
}

step_host_firewall() {
  step host-firewall
  local rules removed
  for rules in "${BOOT_IPTABLES_RULES[@]}"; do
    [ -e "$rules" ] || continue
    removed=$(open_inbound_to_cloud_firewall "$rules")
    log "host firewall: removed $removed catch-all INPUT rule(s) from $rules"
  done
}

step_otelcol() {
  step otelcol
  local arch deb sums expected
  arch=$(dpkg --print-architecture)
  deb="otelcol-contrib_${LANTERN_OTELCOL_VERSION}_linux_${arch}.deb"
  # One checksum file per artifact since release 0.158.0, holding the bare hash
  # (opentelemetry-collector-releases #1582, .goreleaser.yaml `checksum:
  # split: true`; goreleaser internal/pipe/checksums/checksums.go: name
  # "{{ .ArtifactName }}.{{ .Algorithm }}", refreshOne writes the hash alone).
  sums="$deb.sha256"
  local base="$LANTERN_OTELCOL_BASE_URL/v$LANTERN_OTELCOL_VERSION"
  fetch "$base/$sums" "$WORKDIR/$sums"
  fetch "$base/$deb" "$WORKDIR/$deb"
  expected=$(tr -d '[:space:]' <"$WORKDIR/$sums")
  [[ $expected =~ $SHA256_RE ]] || die "$base/$sums is not one sha256"
  verify_sha256 "$WORKDIR/$deb" "$expected" "$deb"
  chmod 0644 "$WORKDIR/$deb" # apt reads local .debs as the _apt user
  apt_install "$WORKDIR/$deb"
  # The package's postinst starts the collector with its sample config.
  # The builder exports nothing: the unit stays enabled but stopped, and
  # first starts on an instance booted from the image.
  systemctl stop otelcol-contrib.service

  install -m 0644 -o root -g root "$SCRIPT_DIR/otelcol-config.yaml" "$OTELCOL_CONFIG"
  printf 'LANTERN_OTLP_ENDPOINT=%s\n' "$LANTERN_OTLP_ENDPOINT" | write_file 0600 "$OTELCOL_ENV"
  write_file 0644 "$OTELCOL_DROPIN_DIR/env.conf" <<EOF
[Service]
EnvironmentFile=-$OTELCOL_ENV
EOF
  write_file 0644 "$OTELCOL_DROPIN_DIR/journal.conf" <<'EOF'
[Service]
# The journald receiver runs journalctl as the service user.
SupplementaryGroups=systemd-journal
EOF
  write_file 0644 "$OTELCOL_DROPIN_DIR/state.conf" <<'EOF'
[Service]
# Journal cursors of the journald receivers (file_storage extension).
StateDirectory=otelcol-contrib
StateDirectoryMode=0750
EOF
  # file_storage validates that its directory exists.
  install -d -m 0750 -o otelcol-contrib -g otelcol-contrib "$OTELCOL_STATE_DIR"
  systemctl daemon-reload
  systemctl enable otelcol-contrib.service
  otelcol_validate
}

step_lantern_box_scaffold() {
  step lantern-box-scaffold
  : | write_file 0600 "$LB_OTEL_ENV"
  write_file 0644 "$LB_DROPIN" <<EOF
[Service]
EnvironmentFile=-$LB_OTEL_ENV
EOF
  # lantern-box is an open proxy: a client may ask it to connect anywhere,
  # and it runs as root. Its cgroup may not reach instance metadata: the
  # unit's start loads $METADATA_BLOCK_NFT (the file says why at every
  # start) with ExecStartPre=: systemd makes the start's cgroup before it
  # forks any of the unit's processes (src/core/unit.c, unit_prepare_exec),
  # and runs ExecStartPre= and the main process in it; `+` runs nft with
  # full privileges, outside the unit's sandboxing (systemd.service(5),
  # "Command lines"); a failed load fails the start, so the proxy never runs
  # unconfined. systemd's own NFTSet= (systemd.resource-control(5), systemd
  # 255 and later) would keep a set of the unit's cgroup ids instead, but
  # ignores its failures (fail open) and is not in Debian 12's systemd 252.
  # After=nftables.service: an enabled nftables.service flushes the whole
  # ruleset when it starts, so it must not start after the table is loaded.
  # InaccessiblePaths= (systemd.exec(5)) hides the secrets first boot
  # leaves on disk, from the unit's mount namespace only: the release's unit
  # (getlantern/lantern-box cmd/release/lantern-box.service) also grants
  # CAP_SYS_PTRACE, which opens /proc/1/root/<any path> to a root process
  # (proc_pid_root(5): a ptrace access check), and CAP_DAC_READ_SEARCH
  # (open_by_handle_at(2)). A server needs neither (sing-box uses them to
  # find a connection's local process), so the drop-in sets both lists
  # itself, the network capabilities only: an empty assignment resets the
  # unit's list (systemd.exec(5)), so a later release's unit cannot widen
  # them. The tailscaled socket (/run/tailscale) is hidden too.
  install -D -m 0644 -o root -g root "$SCRIPT_DIR/metadata-block.nft" "$METADATA_BLOCK_NFT"
  write_file 0644 "$LB_CONFINE_DROPIN" <<EOF
[Unit]
After=nftables.service

[Service]
$METADATA_BLOCK_LOAD
InaccessiblePaths=$SECRET_PATHS
CapabilityBoundingSet=
$LB_CAPABILITY_BOUNDS
AmbientCapabilities=
$LB_AMBIENT_CAPABILITIES
EOF
  systemctl daemon-reload
}

step_management_user() {
  step management-user
  if ! id "$MGMT_USER" >/dev/null 2>&1; then
    useradd --create-home --user-group --shell /bin/bash "$MGMT_USER"
  fi
  # Locked password: key login only (cloud-init installs the keys).
  usermod --shell /bin/bash --lock "$MGMT_USER"

  grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers\.d' /etc/sudoers ||
    die "/etc/sudoers does not include /etc/sudoers.d"
  printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$MGMT_USER" >"$WORKDIR/sudoers"
  visudo -cf "$WORKDIR/sudoers"
  install -m 0440 -o root -g root "$WORKDIR/sudoers" "$SUDOERS_FILE"
  visudo -c

  grep -Eq '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/\*\.conf' /etc/ssh/sshd_config ||
    die "/etc/ssh/sshd_config has no 'Include /etc/ssh/sshd_config.d/*.conf'"
  write_file 0644 "$SSHD_DROPIN" <<'EOF'
# Written by the lantern-box image recipe: keys only.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
X11Forwarding no
MaxAuthTries 3
EOF
  # Checked, not reloaded: the running builder sshd keeps its config and
  # the caller's session; instances start sshd with this file.
  sshd_test
  passwd -l root
}

step_tailscale() {
  step tailscale
  local id codename
  id=$(os_release ID)
  codename=$(os_release VERSION_CODENAME)
  [[ $id =~ ^[a-z]+$ && $codename =~ ^[a-z]+$ ]] ||
    die "cannot read ID/VERSION_CODENAME from /etc/os-release (got '$id' '$codename')"
  fetch "$LANTERN_TAILSCALE_REPO_URL/$id/$codename.noarmor.gpg" "$WORKDIR/tailscale.gpg"
  install -m 0644 -o root -g root "$WORKDIR/tailscale.gpg" "$TS_KEYRING"
  printf 'deb [signed-by=%s] %s/%s %s main\n' \
    "$TS_KEYRING" "$LANTERN_TAILSCALE_REPO_URL" "$id" "$codename" | write_file 0644 "$TS_LIST"
  apt_update
  apt_install tailscale
  systemctl enable tailscaled.service
  # Never `tailscale up` here: the auth key arrives with the instance's
  # user-data. Stopped so the builder leaves no node state behind
  # (clean-for-capture.sh removes it too).
  systemctl stop tailscaled.service
}

step_ca_cert() {
  step ca-cert
  fetch "$LANTERN_CA_CERT_URL" "$WORKDIR/lanternet-ca.crt"
  verify_sha256 "$WORKDIR/lanternet-ca.crt" "$LANTERN_CA_CERT_SHA256" "$LANTERN_CA_CERT_URL"
  openssl x509 -noout -in "$WORKDIR/lanternet-ca.crt" ||
    die "$LANTERN_CA_CERT_URL is not a PEM certificate"
  install -m 0644 -o root -g root "$WORKDIR/lanternet-ca.crt" "$CA_FILE"
  update-ca-certificates
}

# ------------------------------------------------------------- self-check

FAILED=0
check() { # <description> <command>...: record and print the outcome
  local desc=$1
  shift
  if "$@" >/dev/null 2>&1; then
    log "check ok: $desc"
  else
    log "check FAILED: $desc"
    FAILED=$((FAILED + 1))
  fi
}
not_pkg() { ! pkg_installed "$1"; }
is_masked() { [ "$(readlink "/etc/systemd/system/$1")" = /dev/null ]; }
is_enabled() { [ "$(systemctl is-enabled "$1" 2>/dev/null)" = enabled ]; }
has_mode() { [ -e "$2" ] && [ "$(stat -c '%a %U' "$2")" = "$1 root" ]; } # <octal> <path>
has_line() { [ -f "$1" ] && grep -qxF -- "$2" "$1"; }                     # <file> <line>
is_empty_file() { [ -f "$1" ] && [ ! -s "$1" ]; }
same_file() { cmp -s -- "$1" "$2"; }
pw_locked() { [ "$(passwd -S "$1" | cut -d' ' -f2)" = L ]; }
user_ok() {
  local entry
  entry=$(getent passwd "$1") || return 1
  [ "$(cut -d: -f7 <<<"$entry")" = /bin/bash ] && [ -d "$(cut -d: -f6 <<<"$entry")" ]
}
sshd_effective() { # <keyword> <accepted value>...
  local out value keyword=$1
  shift
  out=$(sshd -T) || return 1
  value=$(awk -v k="$keyword" '$1 == k { print $2; exit }' <<<"$out")
  local ok
  for ok in "$@"; do
    [ "$value" = "$ok" ] && return 0
  done
  return 1
}
lantern_box_absent() {
  ! pkg_installed lantern-box && [ ! -e /usr/bin/lantern-box ] &&
    [ ! -e /usr/lib/systemd/system/lantern-box.service ] &&
    [ ! -e /lib/systemd/system/lantern-box.service ]
}
# lantern-box.service's cgroup exists only while it runs, which it never
# does on the builder: check the same rules against init.scope's cgroup.
# nft --check sends the ruleset to the kernel and applies nothing.
metadata_block_loads() {
  local unit='level 2 "system.slice/lantern-box.service"'
  grep -qF -- "$unit" "$METADATA_BLOCK_NFT" &&
    sed "s|$unit|level 1 \"init.scope\"|" "$METADATA_BLOCK_NFT" | nft --check -f -
}
# A Linode route's user-data is gzipped (no route's fits Linode's limit
# plain). cloud-init's Akamai datasource before 24.4 decoded it to text,
# which fails on gzip and drops the whole document: no host key, no login
# key, no install (canonical/cloud-init cloudinit/sources/DataSourceAkamai.py,
# `b64decode(...).decode()` until ce8078147, PR #5751, first in 24.4).
# Ubuntu 24.04's own release shipped 24.1.3; its updates carry 24.4 and later.
# v1.platform is the datasource's name in lower case, "akamai" on Linode
# (cloudinit/sources/__init__.py, platform_type; DataSourceAkamai.dsname).
cloud_init_reads_user_data() { # <platform, as `cloud-init query v1.platform`> <cloud-init package version>
  [ "$1" != akamai ] || dpkg --compare-versions "$2" ge 24.4~
}
this_cloud_init_reads_user_data() {
  local platform version
  platform=$(cloud-init query v1.platform) || return 1
  # shellcheck disable=SC2016 # ${...} is a dpkg-query format, not a shell expansion
  version=$(dpkg-query -W -f='${Version}' cloud-init) || return 1
  cloud_init_reads_user_data "$platform" "$version"
}
# The cloud-init that boots is the package whose version is checked above.
# Its units run /usr/bin/cloud-init (#!/usr/bin/python3), which imports the
# first `cloudinit` on Python's path, and Debian's python3 searches
# /usr/local/lib/python3.X/dist-packages before the package's
# /usr/lib/python3/dist-packages (`python3 -c 'import sys; print(sys.path)'`).
# A copy installed from source there, or a unit of the same name under
# /etc/systemd/system, which systemd loads before /lib's (systemd.unit(5),
# "Unit File Load Path"), would run instead of the package. A stock image
# may carry either (Alibaba says only that cloud-init is preinstalled in its
# public images: alibabacloud.com/help/en/ecs/user-guide/manage-the-instance-initialization-configuration).
of_cloud_init_package() { [ "$(dpkg-query -S "$1" 2>/dev/null | cut -d: -f1)" = cloud-init ]; } # <path>
cloud_init_module_is_the_packages() {
  local module
  module=$(cd / && /usr/bin/python3 -c 'import cloudinit; print(cloudinit.__file__)') &&
    of_cloud_init_package "$module" && of_cloud_init_package /usr/bin/cloud-init
}
cloud_init_units_are_the_packages() {
  local unit units
  units=$(dpkg-query -L cloud-init | sed -n 's|^.*/systemd/system/\([^/]*\.service\)$|\1|p') && [ -n "$units" ] || return 1
  for unit in $units; do
    case $(systemctl show -P FragmentPath "$unit") in /etc/* | '') return 1 ;; esac
  done
}
# <iptables-save file>: absent, or neither INPUT's policy nor a catch-all rule rejects.
inbound_left_to_cloud_firewall() {
  [ ! -e "$1" ] || { ! grep -Eq "$CATCH_ALL_INPUT_RE" "$1" && ! grep -Eq '^:INPUT (DROP|REJECT) ' "$1"; }
}
ca_trusted() {
  [ -f "$CA_FILE" ] && [ -e "$CA_LINK" ] &&
    [ "$(sha256sum "$CA_FILE" | cut -d' ' -f1)" = "$LANTERN_CA_CERT_SHA256" ]
}

self_check() {
  step self-check
  local p u
  for p in "${RUNTIME_PACKAGES[@]}" "${RECIPE_PACKAGES[@]}" otelcol-contrib tailscale; do
    check "package $p installed" pkg_installed "$p"
  done
  check "unattended-upgrades not installed" not_pkg unattended-upgrades
  check "cloud-init reads this provider's route user-data (Linode's gzip: 24.4 or later)" this_cloud_init_reads_user_data
  check "the cloud-init Python imports is the package's" cloud_init_module_is_the_packages
  check "cloud-init's units are the package's" cloud_init_units_are_the_packages
  for u in "${APT_UNITS[@]}"; do
    check "$u masked" is_masked "$u"
  done
  check "apt drop-in $APT_DROPIN" has_line "$APT_DROPIN" 'DPkg::Lock::Timeout "300";'
  check "/etc/lantern-box is 0700 root" has_mode 700 /etc/lantern-box
  check "/var/lib/lantern-box is 0755 root" has_mode 755 /var/lib/lantern-box

  check "collector config is this recipe's" same_file "$OTELCOL_CONFIG" "$SCRIPT_DIR/otelcol-config.yaml"
  check "$OTELCOL_ENV is 0600 root" has_mode 600 "$OTELCOL_ENV"
  check "otelcol-contrib env drop-in" has_line "$OTELCOL_DROPIN_DIR/env.conf" "EnvironmentFile=-$OTELCOL_ENV"
  check "otelcol-contrib journal drop-in" has_line "$OTELCOL_DROPIN_DIR/journal.conf" SupplementaryGroups=systemd-journal
  check "otelcol-contrib state drop-in" has_line "$OTELCOL_DROPIN_DIR/state.conf" StateDirectory=otelcol-contrib
  check "otelcol-contrib.service enabled" is_enabled otelcol-contrib.service
  check "otelcol-contrib validate $OTELCOL_CONFIG" otelcol_validate

  check "$LB_OTEL_ENV is 0600 root" has_mode 600 "$LB_OTEL_ENV"
  check "$LB_OTEL_ENV is empty" is_empty_file "$LB_OTEL_ENV"
  check "lantern-box otel drop-in" has_line "$LB_DROPIN" "EnvironmentFile=-$LB_OTEL_ENV"
  check "metadata block is this recipe's" same_file "$METADATA_BLOCK_NFT" "$SCRIPT_DIR/metadata-block.nft"
  check "metadata block loads (nft --check, on a cgroup that exists here)" metadata_block_loads
  check "lantern-box's start loads the metadata block" has_line "$LB_CONFINE_DROPIN" "$METADATA_BLOCK_LOAD"
  check "lantern-box cannot read first boot's secrets" has_line "$LB_CONFINE_DROPIN" "InaccessiblePaths=$SECRET_PATHS"
  check "lantern-box's capabilities are the network ones only" has_line "$LB_CONFINE_DROPIN" "$LB_CAPABILITY_BOUNDS"
  check "lantern-box's ambient capabilities are the network ones" has_line "$LB_CONFINE_DROPIN" "$LB_AMBIENT_CAPABILITIES"
  check "lantern-box is not installed" lantern_box_absent

  check "user $MGMT_USER exists with /bin/bash and a home" user_ok "$MGMT_USER"
  check "user $MGMT_USER password locked" pw_locked "$MGMT_USER"
  check "$SUDOERS_FILE is 0440 root" has_mode 440 "$SUDOERS_FILE"
  check "$SUDOERS_FILE grants passwordless sudo" has_line "$SUDOERS_FILE" "$MGMT_USER ALL=(ALL:ALL) NOPASSWD: ALL"
  check "visudo -cf $SUDOERS_FILE" visudo -cf "$SUDOERS_FILE"
  check "sshd hardening drop-in present" has_mode 644 "$SSHD_DROPIN"
  check "sshd -t" sshd_test
  check "sshd: passwordauthentication no" sshd_effective passwordauthentication no
  check "sshd: kbdinteractiveauthentication no" sshd_effective kbdinteractiveauthentication no
  # sshd -T prints prohibit-password under its old name on some versions.
  check "sshd: permitrootlogin prohibit-password" sshd_effective permitrootlogin prohibit-password without-password
  check "root password locked" pw_locked root

  check "tailscale keyring present" has_mode 644 "$TS_KEYRING"
  check "tailscale apt source present" has_mode 644 "$TS_LIST"
  check "tailscaled.service enabled" is_enabled tailscaled.service

  for p in "${BOOT_IPTABLES_RULES[@]}"; do
    check "host firewall at boot ($p) lets in what the cloud firewall lets in" inbound_left_to_cloud_firewall "$p"
  done

  check "Lanternet CA installed with the pinned sha256 and linked in /etc/ssl/certs" ca_trusted

  if [ "$FAILED" -ne 0 ]; then
    die "self-check: $FAILED check(s) failed"
  fi
  log "self-check: all checks passed"
}

# ------------------------------------------------------------------- main

main() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo bash $0)"
  case "${1:-}" in
    --self-check)
      require_match LANTERN_CA_CERT_SHA256 "$SHA256_RE"
      self_check
      ;;
    "")
      validate_parameters
      WORKDIR=$(mktemp -d /var/tmp/lantern-image-build.XXXXXX)
      chmod 0755 "$WORKDIR"
      step_wait_cloud_init
      step_apt_hygiene
      step_runtime_packages
      step_host_firewall
      step_otelcol
      step_lantern_box_scaffold
      step_management_user
      step_tailscale
      step_ca_cert
      self_check
      step finished
      ;;
    -h | --help)
      sed -n '2,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      ;;
    *) die "unknown argument '$1' (use --self-check or --help)" ;;
  esac
}

main "$@"
