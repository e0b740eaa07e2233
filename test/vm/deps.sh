#!/bin/bash
# Install the Debian packages the real-VM test needs (idempotent).
# Called by .ci/run before test/vm/run.sh; needs root and Debian's archive.
set -euo pipefail

packages=(
  qemu-system-x86 qemu-utils
  debootstrap
  cloud-image-utils
  e2fsprogs
  socat
  openssl
  dpkg-dev apt-utils
  gnupg
  openssh-client
  gcc libc6-dev
  ca-certificates curl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: all present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Acquire::http::Timeout=30)
timeout 300 apt-get "${apt_opts[@]}" update -qq
timeout 900 apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"
