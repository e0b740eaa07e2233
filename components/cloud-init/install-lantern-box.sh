#!/bin/bash
# Install or verify one lantern-box release on a route. The one release step
# shared by first boot (cloud-init runcmd), hot-swaps and the verification of
# replaced routes (both over SSH): all of them run this exact text.
#
#   install-lantern-box.sh install <tag>   e.g. v0.0.73
#   install-lantern-box.sh verify <tag>
#   install-lantern-box.sh configure <staged-dir>
#
# Environment (set by the program, never by hand):
#   LANTERN_RELEASE_BASE_URL  https release root; the .deb is
#                             <base>/<tag>/lantern-box_<ver>_linux_<arch>.deb
#   LANTERN_DEB_SHA256        optional pinned sha256 of that .deb
#   LANTERN_SOAK_SECONDS      how long the service must stay up, unrestarted,
#                             before a release counts as verified (default:
#                             the last install's or verify's, else 30)
#
# What proves a release runs: lantern-box cannot report its own version (no
# `version` subcommand, and goreleaser stamps sing-box's version constant,
# not lantern-box's: cmd/main.go and .goreleaser.yaml of
# github.com/getlantern/lantern-box). So the proof is dpkg's record of the
# package (its version and the md5 it recorded for /usr/bin/lantern-box)
# against the unit's running process (/proc/<MainPID>/exe), started after the
# install, still the same process with NRestarts unchanged after the soak
# (the packaged unit restarts a crashing binary every 10 s:
# cmd/release/lantern-box.service, Restart=on-failure, RestartSec=10s).
#
# install: download, check the checksum (and the pinned hash), pre-flight the
# route's config with the new binary (`lantern-box check --config`, before
# anything is installed), install, restart, verify. A release that fails to
# start or to soak is replaced by the previous verified release (its .deb is
# kept on the box), which is verified in turn; the run still fails, naming
# the step. Installing the release that is already verified and healthy only
# re-verifies it. Runs are serialised by a lock, and a run that finds dpkg
# interrupted (a hot-swap cut off mid-way) repairs it first.
#
# configure: applies a route's pushed config (config.json, the telemetry env
# files, the management user's authorized_keys, staged by the program's
# config push) to the release last verified on the route: that release's
# binary checks the new config.json first; the files are swapped in, the
# unit restarted and verified as above; on a failed start or soak the
# previous files come back, and the run fails naming the step.
#
# Every step logs one line `[lantern-install] step=<name> tag=<tag>
# outcome=<ok|failed|...> seconds=<n>`; the failure line starts with
# `[lantern-install] FAILED: step=<name>`. On success the last line on stdout
# is `verified=<tag>`.
#
# The whole text is functions until the last line, so bash has parsed all of
# it before anything runs (it may arrive on stdin), and no step reads stdin.
set -euo pipefail
export LC_ALL=C # byte-wise ranges in the patterns below

# One rule each, shared with the config schema (stacks/patterns.ts; a unit
# test keeps them equal).
readonly RELEASE_TAG_RE='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'
readonly HTTPS_URL_RE='^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*$'

readonly UNIT=lantern-box.service
readonly BINARY=usr/bin/lantern-box
readonly CONFIG=/etc/lantern-box/config.json
readonly MD5SUMS=/var/lib/dpkg/info/lantern-box.md5sums
# The last verified release: its .deb and its tag, for rollbacks.
readonly VERIFIED_DIR=/var/lib/lantern-box/verified
readonly LOCK=/run/lantern/install.lock
readonly CHECK_REPORT=/var/lib/lantern-box/config-check.log
# Telemetry environment of lantern-box and of the collector (written by
# first boot): their OTEL_RESOURCE_ATTRIBUTES carry service.version.
readonly OTEL_ENV_FILES=(/etc/lantern-box/otel.env /etc/otelcol-contrib/otelcol.env)
readonly COLLECTOR=otelcol-contrib.service
# What `configure` may replace: staged name, target, owner.
readonly CONFIG_FILES=(
  "config.json /etc/lantern-box/config.json root"
  "otel.env /etc/lantern-box/otel.env root"
  "otelcol.env /etc/otelcol-contrib/otelcol.env root"
  "authorized_keys /home/lantern/.ssh/authorized_keys lantern"
)

tag="" version="" base="" pinned="" soak=30 step="" step_started=0 backup=""

log() { printf '[lantern-install] %s\n' "$*" >&2; }

begin() {
  step=$1 step_started=$SECONDS
  log "step=$step tag=$tag outcome=started${2:+ $2}"
}

done_step() { log "step=$step tag=$tag outcome=ok seconds=$((SECONDS - step_started))${1:+ $1}"; }

fail() {
  log "FAILED: step=$step tag=$tag outcome=failed seconds=$((SECONDS - step_started)): $*"
  exit 1
}

# CLOCK_MONOTONIC in microseconds, systemd's clock (README: why not awk).
monotonic_us() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)'; }

unit_property() { systemctl show --property="$1" --value "$UNIT"; }

# The md5 dpkg recorded for the binary of the installed lantern-box package
# (nfpm writes the md5sums control file: deb/deb.go in goreleaser/nfpm).
recorded_md5() { awk -v f="$BINARY" '$2 == f { print $1 }' "$MD5SUMS" 2>/dev/null || true; }

installed_version() { dpkg-query --show --showformat='${db:Status-Status} ${Version}' lantern-box 2>/dev/null | sed -n 's/^installed //p'; }

# healthy <version> <started_after_us>: the package at <version> is installed,
# the unit's main process runs exactly the binary dpkg recorded, it started
# after <started_after_us>, and it stays the same process, unrestarted, until
# it has been up LANTERN_SOAK_SECONDS. Prints the reason when not.
healthy() {
  local version=$1 after=$2 installed pid restarts started up wait_s md5 running
  installed=$(installed_version)
  [ "$installed" = "$version" ] || { echo "dpkg reports '${installed:-nothing}', expected $version"; return 1; }
  for _ in $(seq 1 30); do
    systemctl is-active --quiet "$UNIT" && break
    sleep 1
  done
  systemctl is-active --quiet "$UNIT" || { echo "$UNIT is $(systemctl is-active "$UNIT" || true)"; return 1; }
  pid=$(unit_property MainPID) restarts=$(unit_property NRestarts)
  started=$(unit_property ExecMainStartTimestampMonotonic)
  [[ $pid =~ ^[1-9][0-9]*$ ]] || { echo "$UNIT has no main process"; return 1; }
  [ "$started" -ge "$after" ] || { echo "the running process started before the install"; return 1; }
  md5=$(recorded_md5)
  running=$(md5sum "/proc/$pid/exe" | cut -d' ' -f1)
  [[ $md5 =~ ^[0-9a-f]{32}$ ]] || { echo "dpkg has no md5 for /$BINARY"; return 1; }
  [ "$running" = "$md5" ] || { echo "the running process (pid $pid) is not the installed /$BINARY (md5 $running, dpkg $md5)"; return 1; }
  up=$((($(monotonic_us) - started) / 1000000))
  wait_s=$((soak - up))
  if [ "$wait_s" -gt 0 ]; then
    log "step=$step tag=$tag outcome=soaking pid=$pid seconds_left=$wait_s"
    sleep "$wait_s"
  fi
  systemctl is-active --quiet "$UNIT" || { echo "$UNIT stopped during the soak"; return 1; }
  [ "$(unit_property MainPID)" = "$pid" ] || { echo "the process changed during the soak (pid $pid -> $(unit_property MainPID))"; return 1; }
  [ "$(unit_property NRestarts)" = "$restarts" ] || { echo "$UNIT restarted during the soak"; return 1; }
}

# config_check <binary> <config>: `lantern-box check --config` (cmd/cmd_check.go:
# builds the proxy from the file, non-zero when it is invalid). Its words may
# quote the config, which is secret: they go to a root-only file on the box,
# never to the journal (shipped to telemetry) or the SSH output (kept in the
# Pulumi state).
config_check() {
  local status=0
  (umask 077 && timeout 120 "$1" check --config "$2" >"$CHECK_REPORT" 2>&1) || status=$?
  return "$status"
}

# apt_install <deb>: the local .deb, with lock timeouts and retries; downgrades
# allowed (a rollback is the same operation as an upgrade).
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends --allow-downgrades \
    -o DPkg::Lock::Timeout=300 -o Acquire::Retries=5 \
    -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$1" >&2
}

# report_version <version>: the release every signal of this route reports as
# service.version. Written just before the unit (re)starts that release, so
# the running process's environment always names the release it runs.
report_version() {
  local file
  for file in "${OTEL_ENV_FILES[@]}"; do
    [ -f "$file" ] || continue
    if grep -q '^OTEL_RESOURCE_ATTRIBUTES=.*service\.version=' "$file"; then
      sed -i -E "/^OTEL_RESOURCE_ATTRIBUTES=/s/service\.version=[^,]*/service.version=$1/" "$file"
    else
      sed -i -E "/^OTEL_RESOURCE_ATTRIBUTES=/s/\$/,service.version=$1/" "$file"
    fi
  done
}

# The collector reads its env file at start: restart it once the release it
# reports is settled (verified, or rolled back). Telemetry never fails a release.
restart_collector() {
  systemctl try-restart "$COLLECTOR" || log "step=$step tag=$tag outcome=warning: could not restart $COLLECTOR"
}

# restart_unit: (re)start the packaged unit (the package itself enables and
# starts nothing: its nfpm config has no maintainer scripts).
restart_unit() {
  systemctl daemon-reload
  systemctl enable "$UNIT" >&2
  systemctl restart "$UNIT"
}

# Retries timeouts and transient HTTP errors (408, 429, 5xx); a 404 (no such
# release) fails at once.
fetch() {
  curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 \
    --connect-timeout 10 --max-time 300 --retry 5 --retry-delay 3 \
    --output "$2" "$1"
}

# A hot-swap cut off mid-way can leave dpkg half-done: finish it first.
recover_dpkg() {
  [ -n "$(dpkg --audit 2>/dev/null)" ] || return 0
  begin recover
  DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a >&2 || fail "dpkg --configure -a"
  done_step
}

# roll_back <failed step> <reason> <to> <version> <restore command...>: puts
# the previous state back (the restore command), restarts lantern-box and
# verifies <version> runs healthy again; always ends the run with a failure
# naming the step that failed.
roll_back() {
  local failed=$1 reason=$2 to=$3 back_version=$4 mark why
  shift 4
  log "FAILED: step=$failed tag=$tag outcome=failed: $reason"
  begin rollback "to=$to"
  mark=$(monotonic_us)
  report_version "$back_version"
  if ! "$@" || ! restart_unit; then fail "restoring $to failed too"; fi
  why=$(healthy "$back_version" "$mark") || fail "$to is not healthy after the rollback: $why"
  restart_collector
  done_step "to=$to"
  step=$failed
  fail "$reason; rolled back to $to, which is running and verified"
}

# rollback <failed step> <reason>: reinstall and verify the last verified release.
rollback() {
  local prev_tag prev_deb
  prev_tag=$(cat "$VERIFIED_DIR/tag" 2>/dev/null || true)
  prev_deb=$(find "$VERIFIED_DIR" -maxdepth 1 -name 'lantern-box_*.deb' -print -quit 2>/dev/null || true)
  if [ -z "$prev_tag" ] || [ -z "$prev_deb" ]; then
    log "FAILED: step=$1 tag=$tag outcome=failed: $2"
    step=$1
    fail "$2; no previous verified release on this route to roll back to"
  fi
  roll_back "$1" "$2" "$prev_tag" "${prev_tag#v}" apt_install "$prev_deb"
}

verify_release() {
  local why
  begin verify "version=$version soak=${soak}s"
  why=$(healthy "$version" 0) || fail "$why"
  done_step
}

install_release() {
  local arch deb sums work expected actual why mark
  if [ "$(installed_version)" = "$version" ] && [ "$(cat "$VERIFIED_DIR/tag" 2>/dev/null || true)" = "$tag" ] &&
    why=$(step=check healthy "$version" 0); then
    log "step=check tag=$tag outcome=ok: already installed, verified and healthy; nothing to do"
    return 0
  fi
  arch=$(dpkg --print-architecture)
  deb="lantern-box_${version}_linux_${arch}.deb"
  sums="lantern-box_${version}_checksums.txt"
  work=$(mktemp -d /var/tmp/lantern-install.XXXXXX)
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  # apt reads local .debs as the _apt user.
  chmod 0755 "$work"

  begin download "arch=$arch url=$base/$tag/$deb"
  fetch "$base/$tag/$sums" "$work/$sums" || fail "checksum file $base/$tag/$sums"
  fetch "$base/$tag/$deb" "$work/$deb" || fail "package $base/$tag/$deb"
  done_step

  begin verify "file=$deb"
  # goreleaser's checksum file: "<sha256>  <file name>" per release asset.
  expected=$(awk -v f="$deb" '$2 == f || $2 == "*" f { print $1 }' "$work/$sums")
  [[ $expected =~ ^[0-9a-f]{64}$ ]] || fail "no single sha256 for $deb in $sums"
  actual=$(sha256sum "$work/$deb" | cut -d' ' -f1)
  [ "$actual" = "$expected" ] || fail "checksum mismatch for $deb: $sums says $expected, download is $actual"
  if [ -n "$pinned" ]; then
    [ "$actual" = "$pinned" ] || fail "$deb is $actual, not the pinned $pinned"
  fi
  done_step

  # The new binary checks the route's config before anything is installed, so
  # a config this release rejects never replaces a running release.
  begin preflight "config=$CONFIG"
  dpkg-deb --extract "$work/$deb" "$work/root" || fail "cannot unpack $deb"
  [ -x "$work/root/$BINARY" ] || fail "$deb has no /$BINARY"
  # A copy: lantern-box truncates crash.log next to the config it is given (cmd/main.go
  # preRun, otel/crash.go SetupCrashOutput), and the running release's must wait for it.
  install -m 0600 "$CONFIG" "$work/config.json" || fail "cannot copy $CONFIG"
  config_check "$work/root/$BINARY" "$work/config.json" || fail "lantern-box $version rejects $CONFIG ($CHECK_REPORT holds its words)"
  done_step

  begin install "version=$version"
  mark=$(monotonic_us)
  apt_install "$work/$deb" || rollback install "apt-get install $deb"
  done_step

  begin start
  report_version "$version"
  restart_unit || rollback start "systemctl restart $UNIT"
  done_step

  begin soak "seconds=$soak"
  why=$(healthy "$version" "$mark") || rollback soak "$why"
  restart_collector
  done_step

  # Keep this release as the one to roll back to.
  mkdir -p "$VERIFIED_DIR"
  rm -f "$VERIFIED_DIR"/lantern-box_*.deb
  cp "$work/$deb" "$VERIFIED_DIR/$deb"
  printf '%s\n' "$tag" >"$VERIFIED_DIR/tag"
}

# carry_instance_id <current env file> <new env file>: the instance id first
# boot recorded stays in the telemetry attributes a push replaces.
carry_instance_id() {
  local id
  id=$(sed -n 's/^OTEL_RESOURCE_ATTRIBUTES=.*[=,]\(instance\.id=[A-Za-z0-9._:-]*\).*/\1/p' "$1" 2>/dev/null | head -n 1)
  [ -n "$id" ] || return 0
  grep -q '^OTEL_RESOURCE_ATTRIBUTES=.*instance\.id=' "$2" || sed -i "/^OTEL_RESOURCE_ATTRIBUTES=/s/\$/,$id/" "$2"
}

# swap_in_files <from dir>: every config file from <from dir> to its place.
swap_in_files() {
  local entry name target owner
  for entry in "${CONFIG_FILES[@]}"; do
    read -r name target owner <<<"$entry"
    [ -f "$1/$name" ] || continue
    install -m 0600 -o "$owner" -g "$owner" "$1/$name" "$target.lantern-new"
    mv -f "$target.lantern-new" "$target"
  done
}

# restore_config <failed step> <reason>: the previous files, restarted and verified.
restore_config() {
  roll_back "$1" "$2" previous-config "$version" swap_in_files "$backup"
}

configure_route() {
  local staged=$1 entry name target owner why mark
  begin preflight "config=$staged/config.json"
  for entry in "${CONFIG_FILES[@]}"; do
    read -r name target owner <<<"$entry"
    [ -f "$staged/$name" ] || fail "$name was not staged in $staged"
  done
  config_check "/$BINARY" "$staged/config.json" ||
    fail "the running lantern-box $(installed_version) rejects the new config ($CHECK_REPORT holds its words)"
  done_step

  begin apply
  backup=$(mktemp -d /var/tmp/lantern-config.XXXXXX)
  # shellcheck disable=SC2064 # expand now: $backup is fixed
  trap "rm -rf '$backup'" EXIT
  for entry in "${CONFIG_FILES[@]}"; do
    read -r name target owner <<<"$entry"
    if [ -f "$target" ]; then cp -p "$target" "$backup/$name"; fi
  done
  carry_instance_id /etc/lantern-box/otel.env "$staged/otel.env"
  carry_instance_id /etc/otelcol-contrib/otelcol.env "$staged/otelcol.env"
  swap_in_files "$staged"
  report_version "$version"
  done_step

  begin start
  mark=$(monotonic_us)
  restart_unit || restore_config start "systemctl restart $UNIT"
  done_step

  begin soak "seconds=$soak"
  why=$(healthy "$version" "$mark") || restore_config soak "$why"
  restart_collector
  done_step
}

main() {
  local mode=${1:-} staged=""
  step=arguments
  case "$mode $#" in
    "install 2" | "verify 2") tag=$2 ;;
    "configure 2")
      staged=$2
      [ -d "$staged" ] || fail "no staged config in '$staged'"
      # A push configures the release this route verified last, whatever it is.
      tag=$(cat "$VERIFIED_DIR/tag" 2>/dev/null || true)
      [ -n "$tag" ] || fail "no verified release on this route to configure"
      ;;
    *) fail "usage: install-lantern-box.sh install|verify <tag> | configure <staged-dir>" ;;
  esac
  [[ $tag =~ $RELEASE_TAG_RE ]] || fail "tag '$tag' is not of the form vMAJOR.MINOR.PATCH"
  version=${tag#v}
  if [ "$mode" = install ]; then
    base=${LANTERN_RELEASE_BASE_URL:-}
    [[ $base =~ $HTTPS_URL_RE ]] || fail "LANTERN_RELEASE_BASE_URL '$base' is not an https URL"
    pinned=${LANTERN_DEB_SHA256:-}
    [[ -z $pinned || $pinned =~ ^[0-9a-f]{64}$ ]] || fail "LANTERN_DEB_SHA256 is not a lowercase sha256"
  fi
  # A config push carries no soak window (so changing it re-runs no push): it
  # uses the one the last install or verify was given.
  soak=${LANTERN_SOAK_SECONDS:-$(cat "$VERIFIED_DIR/soak-seconds" 2>/dev/null || echo 30)}
  [[ $soak =~ ^[0-9]{1,3}$ ]] || fail "LANTERN_SOAK_SECONDS '$soak' is not a number of seconds"

  step=lock
  mkdir -p "$(dirname "$LOCK")"
  exec 9>"$LOCK"
  flock --wait 1800 9 || fail "another install held $LOCK for 30 minutes"
  recover_dpkg

  case $mode in
    install) install_release ;;
    verify) verify_release ;;
    configure) configure_route "$staged" ;;
  esac
  if [ "$mode" != configure ]; then
    mkdir -p "$VERIFIED_DIR"
    printf '%s\n' "$soak" >"$VERIFIED_DIR/soak-seconds"
  fi
  step="done"
  log "step=done tag=$tag outcome=ok mode=$mode"
  printf 'verified=%s\n' "$tag"
}

main "$@" </dev/null
