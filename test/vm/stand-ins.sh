# shellcheck shell=bash disable=SC2034 # globals shared by the sourced stage files
# Local stand-ins for everything the image recipe and the install step
# download, laid out under $WWW_DIR and served over https by serve.mjs:
#   ca/lanternet-ca.crt                        the test CA (also "Lanternet CA")
#   releases/v<ver>/...                        goreleaser-style releases (release_assets)
#   otelcol/v<ver>/otelcol-contrib_<ver>_...   collector release + its .sha256
#   tailscale/debian/                          signed apt repo, stub tailscale
#   debian/                                    signed partial Debian mirror
# Sourced after lib.sh.
#
# Upstream sources, read at these versions (the stand-ins follow them):
#   open-telemetry/opentelemetry-collector-releases@v0.159.0
#     (f817832365a9a2b829bc7c25feffcf8834585dea), the newest release in the
#     public snapshot read here: distributions/otelcol-contrib/
#     .goreleaser.yaml (nfpms, checksum), preinstall.sh, postinstall.sh,
#     preremove.sh, otelcol-contrib.service, otelcol-contrib.conf, config.yaml.
#     First read at v0.128.0 (b0d9e8d7e498b639eb4de16023a44871542230c1):
#     the scripts, unit and conf are the same in function there, config.yaml
#     still has opencensus, and the package ships no /var/lib/otelcol-contrib.
#     v0.128.0's release workflow (.github/workflows/base-release.yaml) runs
#     goreleaser-pro v2.7.0.
#   open-telemetry/opentelemetry-collector@v0.159.0
#     (69c0873044e80fe1f0647a0bc5afec6244bcad76): the command line and the
#     checks the stand-in models (stubs/otelcol-contrib cites each file).
#   tailscale/tailscale@v1.84.0 (0b36774ff9e8d5a82efee38e3734298ffb453ae9):
#     release/dist/unixpkgs/pkgs.go (debTarget.Build), release/deb/,
#     cmd/tailscaled/tailscaled.{service,defaults}, cmd/tailscale/cli/up.go,
#     scripts/installer.sh (the apt repository's keyring and list).
#   goreleaser/goreleaser@v2.15.4 (fd20dc1995cd5eb3fded997d6613c7f694ab448b,
#     the newest 2.x tag when lantern-box v0.0.73 was released with
#     goreleaser-pro "~> 2") and @v2.7.0 (8aacb197877091cea0d18523ad672eb99087b18d,
#     the collector's): internal/pipe/nfpm/nfpm.go, internal/pipe/checksums/
#     checksums.go, internal/pipe/archive/archive.go.
#   goreleaser/nfpm@v2.46.3 (dbae6d52f782080e1a0203e704603f0a37b19f8f, in
#     goreleaser v2.15.4's go.mod): deb/deb.go.
#   getlantern/lantern-box@v0.0.73 (afa471a475ecb23f6f7b4c8cbb9bbe8bbd89bf98):
#     .goreleaser.yaml, cmd/release/.
# The stand-in collector carries the version the image pins by default
# (image/provision.sh, LANTERN_OTELCOL_VERSION): image/otelcol-config.yaml is
# written for it (its exporter type otlp_http exists since v0.144.0:
# exporter/otlphttpexporter/metadata.yaml in open-telemetry/opentelemetry-collector,
# "type: otlphttp" at v0.128.0), so an older version here would stand in
# for a release that refuses the image's config.
# shellcheck disable=SC2016 # the pattern matches a literal ${...}
OTELCOL_VERSION=$(sed -n 's/^: "${LANTERN_OTELCOL_VERSION:=\([0-9.]*\)}"$/\1/p' "$REPO_DIR/image/provision.sh")
[[ $OTELCOL_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no LANTERN_OTELCOL_VERSION default in image/provision.sh"

TAILSCALE_VERSION=1.84.0
# The e2e stack's tailscale.loginServer (run.sh stack_config puts it in e2e-stack.yaml.tmpl).
TAILSCALE_LOGIN_SERVER=$GUEST_URL/tailscale-control
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
# Not derived from an upstream file: a test fixture (the "Lanternet CA" it
# stands for is this project's own).
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
# ($PKI_DIR/repo-key.gpg, binary keyring) is what the guests trust. A binary
# (unarmored) keyring like pkgs.tailscale.com's <os>/<codename>.noarmor.gpg,
# which tailscale/tailscale@v1.84.0 scripts/installer.sh (lines 502-503)
# installs as /usr/share/keyrings/tailscale-archive-keyring.gpg.
make_repo_key() {
  [ -s "$PKI_DIR/repo-key.gpg" ] && return 0
  log "pki: new apt repository signing key"
  mkdir -p "$GNUPGHOME"
  chmod 0700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key "Lantern VM test repositories" ed25519 sign never
  gpg --batch --export "Lantern VM test repositories" >"$PKI_DIR/repo-key.gpg"
}

# Test fixture (no upstream counterpart): the operator's SSH key of the run.
make_ssh_key() {
  [ -s "$SSH_KEY" ] && return 0
  mkdir -p "$(dirname "$SSH_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C lantern-vm-test -f "$SSH_KEY"
}

# build_deb <staging-dir> <out.deb> [compression]: staging has DEBIAN/control etc.
# dpkg-deb's own format, not nfpm's writer: the members differ (nfpm
# writes control.tar.gz and data.tar.<compression>, goreleaser/nfpm@v2.46.3
# deb/deb.go), what dpkg installs from them does not. The default xz is
# not what either upstream package uses: nfpm defaults to gzip
# (deb/deb.go line 314 at v2.46.3; line 332 at v2.41.2, the nfpm of
# goreleaser v2.7.0 that builds otelcol-contrib), and neither the
# collector's nor tailscale's nfpm config sets another.
build_deb() {
  find "$1" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group "-Z${3:-xz}" --build "$1" "$2" >/dev/null
}

# sha256 line in goreleaser / sha256sum format for <file>, named by basename.
# goreleaser/goreleaser@v2.15.4 internal/pipe/checksums/checksums.go:
# Default (lines 39-52) makes sha256 the algorithm, checksums() (line 226)
# writes fmt.Sprintf("%v  %v\n", sha, a.Name) with the artifact's name (no
# directory); singleChecksum sorts the lines by that name with cmp.Compare
# (lines 171-174), a byte order like LC_ALL=C sort. Same lines at v2.7.0
# (line 224; sort lines 171-174).
checksum_line() { printf '%s  %s\n' "$(sha256sum "$1" | cut -d' ' -f1)" "$(basename "$1")"; }

# lantern_box_binary <version> <out> [cc flags...]: the stand-in binary of a
# release (stubs/lantern-box.c), with its build variant's flags.
lantern_box_binary() {
  local ver=$1 out=$2
  shift 2
  gcc -static -Os -s -Wall -Werror -DVERSION="\"$ver\"" "$@" -o "$out" "$VM_DIR/stubs/lantern-box.c"
}

# nfpm_deb <package> <version> <arch> <binary> <out.deb>: the .deb as the
# release's nfpm config builds it (.goreleaser.yaml "nfpms" of
# getlantern/lantern-box@v0.0.73; nfpm deb/deb.go of goreleaser/nfpm@v2.46.3:
# controlTemplate from line 771, Priority "optional" line 303, gzip line 314,
# md5sums and conffiles control members lines 624-628):
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
# Sources: getlantern/lantern-box@v0.0.73 .goreleaser.yaml (builds, archives
# formats ["tar.gz"], nfpms lantern-box and gemfury-compat); in
# goreleaser/goreleaser@v2.15.4: internal/pipe/nfpm/nfpm.go line 36
# (defaultNameTemplate "{{ .PackageName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}..."),
# internal/pipe/archive/archive.go lines 30-31 (defaultNameTemplate
# "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}...") and 84-91
# (default files license*, readme*, changelog*: v0.0.73 has only README.md),
# internal/pipe/checksums/checksums.go line 48 (name template
# "{{ .ProjectName }}_{{ .Version }}_checksums.txt") and buildArtifactList
# (line 187: every release-uploadable artifact but checksums, signatures and
# certificates).
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

# The test's releases: v0.0.73-v0.0.75 as release_assets builds them, and
# three faulty ones that exist only here (the real tags of these numbers
# are not these builds; see GOOD_VERSIONS above).
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

# build_otelcol: the otelcol-contrib .deb of a collector release and its
# checksums file, at the URLs the recipe fetches (image/provision.sh
# step_otelcol). Follows open-telemetry/opentelemetry-collector-releases@v0.159.0
# distributions/otelcol-contrib/.goreleaser.yaml, "nfpms": the binary at
# /usr/bin/otelcol-contrib (nfpm's default bindir), otelcol-contrib.service
# at /lib/systemd/system/, otelcol-contrib.conf and config.yaml under
# /etc/otelcol-contrib/ as "config|noreplace" (hence DEBIAN/conffiles),
# preinstall.sh / postinstall.sh / preremove.sh as maintainer scripts;
# "checksum": `split: true` (since v0.158.0, #1582), so each artifact has
# its own <artifact>.sha256 holding the bare hash (goreleaser/goreleaser
# internal/pipe/checksums/checksums.go: Default's split name template
# "{{ .ArtifactName }}.{{ .Algorithm }}", refreshOne). The packaged files
# are the stubs/otelcol-* stand-ins (each cites its upstream file). Not as
# upstream: no preremove (so removing the package neither stops nor disables
# the unit), a shorter otelcol-contrib.conf (the same OTELCOL_OPTIONS line,
# without upstream's two comment lines), a reduced config.yaml, control
# fields of this test (upstream: Maintainer "The OpenTelemetry Collector
# maintainers <cncf-opentelemetry-maintainers@lists.cncf.io>", Description
# "OpenTelemetry Collector - otelcol-contrib"), no md5sums, xz members
# (nfpm: gzip). Only the amd64 .deb and its checksum file are served
# (upstream has one per archive, package and SBOM). Upstream's package also ships /var/lib/otelcol-contrib
# (0750, owned by otelcol-contrib; not yet at v0.128.0); this one does not,
# and the recipe makes it (image/provision.sh, OTELCOL_STATE_DIR).
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
  sha256sum "$dir/$deb" | cut -d' ' -f1 | tr -d '\n' >"$dir/$deb.sha256"
}

# sign_apt_repo <root> <suite>: Packages, Release, InRelease for
# <root>/pool -> <root>/dists/<suite>/main/binary-amd64.
# The Debian repository format as apt reads it (dists/<suite>/Release,
# InRelease, main/binary-<arch>/Packages), written by apt-ftparchive; the
# stand-in's pool is flat (Debian's is pool/<component>/<prefix>/<source>/;
# pkgs.tailscale.com's pool layout is not in tailscale/tailscale's source,
# and apt follows whatever Filename: the Packages file gives).
# One architecture (amd64) and one component (main) only.
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

# build_tailscale_repo: Tailscale's apt repository as the recipe uses it
# (image/provision.sh step_tailscale: <url>/<ID>/<codename>.noarmor.gpg and
# "deb [signed-by=...] <url>/<ID> <codename> main"), the layout of
# tailscale/tailscale@v1.84.0 scripts/installer.sh lines 502-505 (TRACK
# stable, OS debian, VERSION bookworm) and of the sources lines in
# clientupdate/clientupdate_test.go (lines 31, 56), holding one package
# built as release/dist/unixpkgs/pkgs.go debTarget.Build (lines 183-301)
# builds it: /usr/bin/tailscale, /usr/sbin/tailscaled,
# /lib/systemd/system/tailscaled.service, file name
# tailscale_<version>_<arch>.deb (line 286), release/deb/debian.postinst.sh
# as postinst. Not as upstream: no /etc/default/tailscaled conffile
# (cmd/tailscaled/tailscaled.defaults, "config|noreplace" there), no prerm
# or postrm (release/deb/debian.prerm.sh, debian.postrm.sh), no
# Depends: iptables, no Recommends (tailscale-archive-keyring (>= 1.35.181),
# iproute2), no Replaces/Conflicts: tailscale-relay, control fields of this
# test (upstream: Maintainer "Tailscale Inc <info@tailscale.com>", Section
# net, Priority extra, Homepage https://www.tailscale.com), xz members
# (nfpm: gzip). The real repository also serves the
# tailscale-archive-keyring package (installer.sh line 509), this one
# does not; the recipe installs with --no-install-recommends.
build_tailscale_repo() {
  local stage root=$WWW_DIR/tailscale/debian
  stage=$(mktemp -d "$CACHE_DIR/tmp/ts.XXXXXX")
  mkdir -p "$root/pool" "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/sbin" "$stage/lib/systemd/system"
  # The one key and login server its control server knows (run.sh, e2e-stack.yaml.tmpl).
  sed -e "s/@VERSION@/$TAILSCALE_VERSION/" -e "s|@LOGIN_SERVER@|$TAILSCALE_LOGIN_SERVER|g" \
    -e "s/@AUTH_KEY_SHA256@/$(printf '%s' "$LANTERN_E2E_TAILSCALE_AUTH_KEY" | sha256sum | cut -d' ' -f1)/" \
    "$VM_DIR/stubs/tailscale" >"$stage/usr/bin/tailscale"
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
# The .debs are Debian's own (bookworm), unmodified; only the repository
# around them is a stand-in (sign_apt_repo: a flat pool, one signing key
# of this test instead of Debian's archive keys).
build_debian_mirror() {
  local root=$WWW_DIR/debian
  mkdir -p "$root/pool"
  find "$MIRROR_DEBS" -maxdepth 1 -name '*.deb' -exec cp -f -t "$root/pool/" {} +
  sign_apt_repo "$root" bookworm
}

# Everything under $WWW_DIR except the Debian mirror (needs the rootfs).
# Orchestration only; the sources are cited at each builder above.
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

# The test CA's sha256, the recipe's LANTERN_CA_CERT_SHA256 (test fixture).
ca_sha256() { sha256sum "$PKI_DIR/ca.crt" | cut -d' ' -f1; }
