#!/bin/bash
# Install one lantern-box release: download, verify, install, start, check.
#
# The one install step shared by first boot (cloud-init runcmd) and the
# hot-swap command (run over SSH): both run this exact text.
#
#   install-lantern-box.sh <tag>            e.g. v0.0.73
#
# Environment (both set by the program, never by hand):
#   LANTERN_RELEASE_BASE_URL  https release root; the .deb is
#                             <base>/<tag>/lantern-box_<ver>_linux_<arch>.deb
#   LANTERN_DEB_SHA256        optional pinned sha256 of that .deb
#
# Every step logs "[lantern-install] step=..."; any failure exits non-zero
# with a "[lantern-install] FAILED: ..." line, which fails cloud-init (status
# error) or the hot-swap command. Downgrades are allowed: a rollback is the
# same operation as an upgrade.
set -euo pipefail

log() { printf '[lantern-install] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

[ "$#" -eq 1 ] || fail "usage: install-lantern-box.sh <tag>"
tag=$1
[[ $tag =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  fail "tag '$tag' is not of the form vMAJOR.MINOR.PATCH"
version=${tag#v}
base=${LANTERN_RELEASE_BASE_URL:-}
[[ $base =~ ^https://[A-Za-z0-9.:/_-]+$ ]] ||
  fail "LANTERN_RELEASE_BASE_URL '$base' is not an https URL"
pinned=${LANTERN_DEB_SHA256:-}
[[ -z $pinned || $pinned =~ ^[0-9a-f]{64}$ ]] ||
  fail "LANTERN_DEB_SHA256 is not a lowercase sha256"

arch=$(dpkg --print-architecture)
deb="lantern-box_${version}_linux_${arch}.deb"
sums="lantern-box_${version}_checksums.txt"
work=$(mktemp -d /var/tmp/lantern-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
# apt reads local .debs as the _apt user.
chmod 0755 "$work"

# Retries timeouts and transient HTTP errors (408, 429, 5xx); a 404 (no such
# release) fails at once.
fetch() {
  curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 \
    --connect-timeout 10 --max-time 300 --retry 5 --retry-delay 3 \
    --output "$2" "$1"
}

log "step=download tag=$tag arch=$arch url=$base/$tag/$deb"
fetch "$base/$tag/$sums" "$work/$sums" || fail "step=download: checksum file $base/$tag/$sums"
fetch "$base/$tag/$deb" "$work/$deb" || fail "step=download: package $base/$tag/$deb"

log "step=verify file=$deb"
expected=$(awk -v f="$deb" '$2 == f || $2 == "*" f { print $1 }' "$work/$sums")
[[ $expected =~ ^[0-9a-f]{64}$ ]] ||
  fail "step=verify: no single sha256 for $deb in $sums"
actual=$(sha256sum "$work/$deb" | cut -d' ' -f1)
[ "$actual" = "$expected" ] ||
  fail "step=verify: checksum mismatch for $deb: $sums says $expected, download is $actual"
if [ -n "$pinned" ]; then
  [ "$actual" = "$pinned" ] ||
    fail "step=verify: $deb is $actual, not the pinned $pinned"
fi

log "step=install version=$version"
export DEBIAN_FRONTEND=noninteractive
apt-get install --yes --no-install-recommends --allow-downgrades \
  -o DPkg::Lock::Timeout=300 -o Acquire::Retries=5 \
  -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "$work/$deb" >&2 || fail "step=install: apt-get install $deb"

log "step=start"
systemctl daemon-reload
systemctl enable lantern-box.service >&2 || fail "step=start: enable lantern-box"
systemctl restart lantern-box.service || fail "step=start: restart lantern-box"

log "step=check version=$version"
installed=$(dpkg-query --show --showformat='${Version}' lantern-box) ||
  fail "step=check: dpkg-query finds no lantern-box"
[ "$installed" = "$version" ] ||
  fail "step=check: dpkg-query reports $installed, expected $version"
active=""
for _ in $(seq 1 30); do
  if systemctl is-active --quiet lantern-box.service; then active=yes; break; fi
  sleep 1
done
[ -n "$active" ] || fail "step=check: lantern-box.service is not active"
pid=$(systemctl show --property=MainPID --value lantern-box.service)
[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "step=check: lantern-box.service has no main process"
# Ask the binary that is actually running, not the file on disk.
running=$("/proc/$pid/exe" version 2>&1) ||
  fail "step=check: running binary did not report a version"
grep -qwF -- "$version" <<<"$running" ||
  fail "step=check: running lantern-box reports '$running', expected $version"

log "step=done version=$version"
printf 'verified=%s\n' "$tag"
