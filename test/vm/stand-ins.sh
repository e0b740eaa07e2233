# shellcheck shell=bash disable=SC2034 # globals shared by the sourced stage files
# Local stand-ins for everything the image recipe and the install step
# download, laid out under $WWW_DIR and served over https by serve.mjs:
#   ca/lanternet-ca.crt                        the test CA (also "Lanternet CA")
#   releases/v<ver>/...                        goreleaser-style releases (release_assets)
#   otelcol/v<ver>/otelcol-contrib_<ver>_...   collector release + checksums
#   tailscale/debian/                          signed apt repo, stub tailscale
#   debian/                                    signed partial Debian mirror
# Sourced after lib.sh.

OTELCOL_VERSION=0.128.0
TAILSCALE_VERSION=1.84.0
# The stand-in releases of lantern-box (all from stubs/lantern-box.c, which
# follows v0.0.73's source; the real tags of these numbers exist upstream,
# the test's release server serves only these):
GOOD_VERSIONS=(0.0.73 0.0.74 0.0.75)
BAD_CHECKSUM_VERSION=0.0.76 # its checksum file does not match its .deb
CRASHING_VERSION=0.0.77     # `run` dies 3 s after starting: crash-loops under Restart=on-failure
REJECTING_VERSION=0.0.78    # no longer knows the test route's inbound type: `check` and `run` reject its config
MISSING_TAG=v0.0.99         # not on the test's release server: 404
# The test route's inbound type, which the rejecting release drops.
ROUTE_INBOUND_TYPE=shadowsocks
# md5 of each release's /usr/bin/lantern-box, to compare with what runs.
declare -A RELEASE_BINARY_MD5=()
GNUPGHOME=$PKI_DIR/gnupg
export GNUPGHOME

# Test CA + server certificate for 10.0.2.100 (guest side) and 127.0.0.1.
# Cached: the base image pins the CA's sha256 and trusts it.
make_pki() {
  mkdir -p "$PKI_DIR"
  [ -s "$PKI_DIR/server.crt" ] && return 0
  log "pki: new test CA and server certificate"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=Lantern VM test CA" -keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$GUEST_SERVER" \
    -keyout "$PKI_DIR/server.key" -out "$PKI_DIR/server.csr" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/server.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -CAcreateserial -days 3650 -sha256 -out "$PKI_DIR/server.crt" \
    -extfile <(printf 'subjectAltName=IP:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$GUEST_SERVER") 2>/dev/null
}

# Throwaway signing key of the stand-in apt repositories; its public half
# ($PKI_DIR/repo-key.gpg, binary keyring) is what the guests trust.
make_repo_key() {
  [ -s "$PKI_DIR/repo-key.gpg" ] && return 0
  log "pki: new apt repository signing key"
  mkdir -p "$GNUPGHOME"
  chmod 0700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key "Lantern VM test repositories" ed25519 sign never
  gpg --batch --export "Lantern VM test repositories" >"$PKI_DIR/repo-key.gpg"
}

make_ssh_key() {
  [ -s "$SSH_KEY" ] && return 0
  mkdir -p "$(dirname "$SSH_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C lantern-vm-test -f "$SSH_KEY"
}

# build_deb <staging-dir> <out.deb> [compression]: staging has DEBIAN/control etc.
build_deb() {
  find "$1" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group "-Z${3:-xz}" --build "$1" "$2" >/dev/null
}

# sha256 line in goreleaser / sha256sum format for <file>, named by basename.
checksum_line() { printf '%s  %s\n' "$(sha256sum "$1" | cut -d' ' -f1)" "$(basename "$1")"; }

# lantern_box_binary <version> <out> [cc flags...]: the stand-in binary of a
# release (stubs/lantern-box.c), with its build variant's flags.
lantern_box_binary() {
  local ver=$1 out=$2
  shift 2
  gcc -static -Os -s -Wall -Werror -DVERSION="\"$ver\"" "$@" -o "$out" "$VM_DIR/stubs/lantern-box.c"
}

# nfpm_deb <package> <version> <arch> <binary> <out.deb>: the .deb as the
# release's nfpm config builds it (.goreleaser.yaml "nfpms", nfpm deb/deb.go):
# /usr/bin/lantern-box and the two units under /usr/lib/systemd/system/
# (named after the package: sing-box-extensions.service for the legacy
# name), a control file with no Depends, an md5sums control file, and no
# maintainer scripts, so installing it neither enables nor (re)starts
# anything. gzip members, as nfpm writes them.
nfpm_deb() {
  local pkg=$1 ver=$2 arch=$3 bin=$4 out=$5 stage units=$VM_DIR/stubs
  stage=$(mktemp -d "$CACHE_DIR/tmp/nfpm.XXXXXX")
  mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/lib/systemd/system"
  install -m 0755 "$bin" "$stage/usr/bin/lantern-box"
  install -m 0644 "$units/lantern-box.service" "$stage/usr/lib/systemd/system/$pkg.service"
  install -m 0644 "$units/lantern-box@.service" "$stage/usr/lib/systemd/system/$pkg@.service"
  (cd "$stage" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
  cat >"$stage/DEBIAN/control" <<EOF
Package: $pkg
Version: $ver
Section: default
Priority: optional
Architecture: $arch
Maintainer: Lantern Team <dev@getlantern.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Homepage: https://github.com/getlantern/lantern-box
Description: Lantern Box
EOF
  build_deb "$stage" "$out" gzip
  rm -rf "$stage"
}

# release_assets <version> <dir> [cc flags...]: every asset goreleaser
# publishes for a tag (.goreleaser.yaml: builds amd64 + arm64; nfpms
# lantern-box and sing-box-extensions as deb + rpm; tar.gz archives), named
# by goreleaser's default templates (<package>_<version>_<os>_<arch>.<ext>,
# <project>_<version>_<os>_<arch>.tar.gz, <project>_<version>_checksums.txt),
# and the checksums file listing all of them, sorted. Only the amd64 builds
# carry the stand-in binary; the arm64 builds hold a placeholder script (no
# cross compiler here) and the .rpm files are placeholder text: the install
# step never fetches them, the checksums file lists them as a real one does.
release_assets() {
  local ver=$1 dir=$2 tmp arch pkg
  shift 2
  tmp=$(mktemp -d "$CACHE_DIR/tmp/release.XXXXXX")
  mkdir -p "$dir" "$tmp/amd64" "$tmp/arm64"
  lantern_box_binary "$ver" "$tmp/amd64/lantern-box" "$@"
  RELEASE_BINARY_MD5[$ver]=$(md5sum "$tmp/amd64/lantern-box" | cut -d' ' -f1)
  printf '#!/bin/sh\necho "lantern-box %s arm64: placeholder of the VM test" >&2\nexit 1\n' "$ver" >"$tmp/arm64/lantern-box"
  printf '# lantern-box\nVM test stand-in release %s\n' "$ver" >"$tmp/README.md"
  for arch in amd64 arm64; do
    for pkg in lantern-box sing-box-extensions; do
      nfpm_deb "$pkg" "$ver" "$arch" "$tmp/$arch/lantern-box" "$dir/${pkg}_${ver}_linux_${arch}.deb"
      printf 'placeholder: %s %s %s rpm (the VM test installs only the .deb)\n' "$pkg" "$ver" "$arch" \
        >"$dir/${pkg}_${ver}_linux_${arch}.rpm"
    done
    cp "$tmp/README.md" "$tmp/$arch/"
    tar -C "$tmp/$arch" -czf "$dir/lantern-box_${ver}_linux_${arch}.tar.gz" lantern-box README.md
  done
  (cd "$dir" && find . -maxdepth 1 -type f ! -name '*_checksums.txt' -printf '%f\n' | LC_ALL=C sort |
    while read -r f; do checksum_line "$f"; done) >"$dir/lantern-box_${ver}_checksums.txt"
  rm -rf "$tmp"
}

build_releases() {
  local ver dir
  for ver in "${GOOD_VERSIONS[@]}" "$BAD_CHECKSUM_VERSION"; do
    release_assets "$ver" "$WWW_DIR/releases/v$ver"
  done
  release_assets "$CRASHING_VERSION" "$WWW_DIR/releases/v$CRASHING_VERSION" -DCRASH_AFTER_SECONDS=3
  release_assets "$REJECTING_VERSION" "$WWW_DIR/releases/v$REJECTING_VERSION" \
    -DREJECT_INBOUND_TYPE="\"$ROUTE_INBOUND_TYPE\""
  # The bad release: the published checksum of its amd64 .deb is of some other content.
  dir=$WWW_DIR/releases/v$BAD_CHECKSUM_VERSION
  sed -i "s/^[0-9a-f]*  \(lantern-box_${BAD_CHECKSUM_VERSION}_linux_amd64\.deb\)\$/$(printf 'not the package' | sha256sum | cut -d' ' -f1)  \1/" \
    "$dir/lantern-box_${BAD_CHECKSUM_VERSION}_checksums.txt"
}

build_otelcol() {
  local stage dir=$WWW_DIR/otelcol/v$OTELCOL_VERSION deb
  deb=otelcol-contrib_${OTELCOL_VERSION}_linux_amd64.deb
  stage=$(mktemp -d "$CACHE_DIR/tmp/otel.XXXXXX")
  mkdir -p "$dir" "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/otelcol-contrib"
  sed "s/@VERSION@/$OTELCOL_VERSION/" "$VM_DIR/stubs/otelcol-contrib" >"$stage/usr/bin/otelcol-contrib"
  chmod 0755 "$stage/usr/bin/otelcol-contrib"
  install -m 0644 "$VM_DIR/stubs/otelcol-contrib.service" "$stage/lib/systemd/system/"
  install -m 0644 "$VM_DIR/stubs/otelcol-config.yaml" "$stage/etc/otelcol-contrib/config.yaml"
  echo 'OTELCOL_OPTIONS="--config=/etc/otelcol-contrib/config.yaml"' >"$stage/etc/otelcol-contrib/otelcol-contrib.conf"
  install -m 0755 "$VM_DIR/stubs/otelcol-contrib.preinst" "$stage/DEBIAN/preinst"
  install -m 0755 "$VM_DIR/stubs/otelcol-contrib.postinst" "$stage/DEBIAN/postinst"
  printf '/etc/otelcol-contrib/config.yaml\n/etc/otelcol-contrib/otelcol-contrib.conf\n' >"$stage/DEBIAN/conffiles"
  cat >"$stage/DEBIAN/control" <<EOF
Package: otelcol-contrib
Version: $OTELCOL_VERSION
Architecture: amd64
Maintainer: Lantern VM test <vm-test@invalid>
Description: OpenTelemetry Collector Contrib test stand-in
 validate parses the config as YAML; the service idles.
EOF
  build_deb "$stage" "$dir/$deb"
  rm -rf "$stage"
  # The real checksums file lists every artifact of the release.
  {
    printf '%s  otelcol-contrib_%s_linux_arm64.deb\n' "$(printf arm64 | sha256sum | cut -d' ' -f1)" "$OTELCOL_VERSION"
    checksum_line "$dir/$deb"
  } >"$dir/opentelemetry-collector-releases_otelcol-contrib_checksums.txt"
}

# sign_apt_repo <root> <suite>: Packages, Release, InRelease for
# <root>/pool -> <root>/dists/<suite>/main/binary-amd64.
sign_apt_repo() {
  local root=$1 suite=$2 dists
  dists=$root/dists/$suite
  mkdir -p "$dists/main/binary-amd64"
  (cd "$root" && apt-ftparchive packages pool) >"$dists/main/binary-amd64/Packages" 2>/dev/null
  gzip -9nkf "$dists/main/binary-amd64/Packages"
  apt-ftparchive -o APT::FTPArchive::Release::Suite="$suite" \
    -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Components=main \
    -o APT::FTPArchive::Release::Architectures=amd64 \
    release "$dists" >"$CACHE_DIR/tmp/Release"
  mv "$CACHE_DIR/tmp/Release" "$dists/Release"
  rm -f "$dists/InRelease" "$dists/Release.gpg"
  gpg --batch --quiet --clearsign -o "$dists/InRelease" "$dists/Release"
  gpg --batch --quiet --detach-sign -o "$dists/Release.gpg" "$dists/Release"
}

build_tailscale_repo() {
  local stage root=$WWW_DIR/tailscale/debian
  stage=$(mktemp -d "$CACHE_DIR/tmp/ts.XXXXXX")
  mkdir -p "$root/pool" "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/sbin" "$stage/lib/systemd/system"
  sed "s/@VERSION@/$TAILSCALE_VERSION/" "$VM_DIR/stubs/tailscale" >"$stage/usr/bin/tailscale"
  install -m 0755 "$VM_DIR/stubs/tailscaled" "$stage/usr/sbin/tailscaled"
  chmod 0755 "$stage/usr/bin/tailscale"
  install -m 0644 "$VM_DIR/stubs/tailscaled.service" "$stage/lib/systemd/system/"
  install -m 0755 "$VM_DIR/stubs/tailscale.postinst" "$stage/DEBIAN/postinst"
  cat >"$stage/DEBIAN/control" <<EOF
Package: tailscale
Version: $TAILSCALE_VERSION
Architecture: amd64
Maintainer: Lantern VM test <vm-test@invalid>
Description: Tailscale test stand-in
 tailscale up records its arguments; tailscaled idles.
EOF
  build_deb "$stage" "$root/pool/tailscale_${TAILSCALE_VERSION}_amd64.deb"
  rm -rf "$stage"
  sign_apt_repo "$root" bookworm
  cp "$PKI_DIR/repo-key.gpg" "$root/bookworm.noarmor.gpg"
}

# The guest has no internet: the recipe's apt-get runs against this partial
# mirror of the exact .debs it needs ($MIRROR_DEBS, collected by rootfs.sh).
build_debian_mirror() {
  local root=$WWW_DIR/debian
  mkdir -p "$root/pool"
  find "$MIRROR_DEBS" -maxdepth 1 -name '*.deb' -exec cp -f -t "$root/pool/" {} +
  sign_apt_repo "$root" bookworm
}

# Everything under $WWW_DIR except the Debian mirror (needs the rootfs).
build_www() {
  local t0
  t0=$(now)
  rm -rf "$WWW_DIR"
  mkdir -p "$WWW_DIR/ca" "$CACHE_DIR/tmp"
  cp "$PKI_DIR/ca.crt" "$WWW_DIR/ca/lanternet-ca.crt"
  build_releases
  build_otelcol
  build_tailscale_repo
  log "stand-ins built in $(elapsed "$t0")s"
}

ca_sha256() { sha256sum "$PKI_DIR/ca.crt" | cut -d' ' -f1; }
