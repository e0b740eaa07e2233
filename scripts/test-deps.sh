#!/bin/bash
# npm test's Debian packages, installed when missing (npm's pretest runs this):
# cloud-init (its real `cloud-init schema` checks every rendered document),
# ShellCheck (the install script, the command texts, the recipe, the workflows)
# and ssh-keygen (it reads the key text the size check stands in for).
set -euo pipefail

missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v cloud-init >/dev/null || missing+=(cloud-init)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
[ "${#missing[@]}" -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "npm test: installing Debian packages: ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
