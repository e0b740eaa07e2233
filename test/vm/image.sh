# shellcheck shell=bash disable=SC2034 # globals shared by the sourced stage files
# The base image, built from the project's own recipe (image/) the way the
# builder VM does it on a cloud: boot the stock image with a NoCloud seed
# that lets us in over SSH, copy image/ over with the layout the program's
# CopyToRemote produces, run provision.sh from where the program's build
# command runs it (stand-in parameters), run clean-for-capture.sh, power
# off; the disk is the base image. Cached under $CACHE_DIR keyed by the
# recipe, the copy layout and its inputs.
# Sourced after lib.sh, stand-ins.sh and rootfs.sh.

RECIPE_DIR=$REPO_DIR/image
BUILDER_BOOT_TIMEOUT=420
PROVISION_TIMEOUT=1200

# The program's build steps, read from the offline plan (the Linode build of
# staging; every provider's build uses the same steps): the CopyToRemote's
# source (repository-relative) and remotePath, the scripts the provision
# and clean-for-capture commands run, and the clean-and-power-off command's
# whole text, which the builder here runs as is. Sets RECIPE_SOURCE,
# RECIPE_REMOTE_PATH, PROVISION_SCRIPT, CLEAN_SCRIPT, CLEAN_POWEROFF.
read_build_steps() {
  local plan=$RUN_DIR/plan-staging.json steps
  # ts-node from the project, as run.sh renders user-data ($NODE may be npm's own node).
  (cd "$REPO_DIR" && TS_NODE_TRANSPILE_ONLY=1 timeout --foreground 300 ts-node plan/cli.ts --stack staging --json) \
    >"$plan" || die "offline plan failed"
  # shellcheck disable=SC2016 # JavaScript, not shell
  steps=$("$NODE" -e '
    const plan = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const step = (name) => plan.resources.find((r) => r.name === `linode-base-${name}`) || {};
    const copy = step("recipe").inputs || {};
    const script = (name, file) => ((step(name).inputs || {}).create || "").match(new RegExp(`bash (\\S+/${file})`))?.[1] || "";
    console.log([(copy.source || {}).fileArchive || "", copy.remotePath || "", script("provision", "provision.sh"),
      script("clean-poweroff", "clean-for-capture.sh"),
      // Escaped: a line break (or a quote) shows as a backslash, which the check below refuses, not as a line read cut short.
      JSON.stringify((step("clean-poweroff").inputs || {}).create || "").slice(1, -1)].join("\n"));' "$plan") ||
    die "reading the build steps from the plan failed"
  { read -r RECIPE_SOURCE; read -r RECIPE_REMOTE_PATH; read -r PROVISION_SCRIPT; read -r CLEAN_SCRIPT; read -r CLEAN_POWEROFF; } <<<"$steps"
  local value
  for value in "$RECIPE_SOURCE" "$RECIPE_REMOTE_PATH" "$PROVISION_SCRIPT" "$CLEAN_SCRIPT"; do
    [[ $value =~ ^[A-Za-z0-9._/-]+$ ]] || die "unexpected build step value in the plan: '$value'"
  done
  # One line of words, paths and `&&`: run in the builder as the program runs it.
  [[ $CLEAN_POWEROFF =~ ^[A-Za-z0-9._/=\ \&-]+$ ]] ||
    die "unexpected clean-and-power-off command in the plan: '$CLEAN_POWEROFF'"
  log "build steps from the plan: copy $RECIPE_SOURCE to $RECIPE_REMOTE_PATH, run $PROVISION_SCRIPT and $CLEAN_SCRIPT"
}

# base_key: hash of the recipe folder, the copy layout and script paths the
# program uses, what shapes the builder here (the functions below, the
# stand-in packages it installs) and the rootfs.
base_key() {
  {
    (cd "$REPO_DIR" && find image -type f -print0 | sort -z | xargs -0 sha256sum)
    printf '%s\n' "$RECIPE_SOURCE" "$RECIPE_REMOTE_PATH" "$PROVISION_SCRIPT" "$CLEAN_SCRIPT" "$CLEAN_POWEROFF"
    declare -f provision_env builder_userdata hold_apt_lists_lock run_recipe copy_to_remote build_otelcol build_tailscale_repo build_deb sign_apt_repo
    cat "$VM_DIR"/stubs/*
    printf '%s\n' "$TAILSCALE_LOGIN_SERVER" "$LANTERN_E2E_TAILSCALE_AUTH_KEY" # baked into the tailscale stand-in
    rootfs_key
  } | sha256sum | cut -c1-16
}

# The parameters a pipeline would pass, pointed at the local stand-ins.
provision_env() {
  printf '%s ' \
    "LANTERN_OTELCOL_VERSION=$OTELCOL_VERSION" \
    "LANTERN_OTELCOL_BASE_URL=$GUEST_URL/otelcol" \
    "LANTERN_TAILSCALE_REPO_URL=$GUEST_URL/tailscale" \
    "LANTERN_CA_CERT_URL=$GUEST_URL/ca/lanternet-ca.crt" \
    "LANTERN_CA_CERT_SHA256=$(ca_sha256)" \
    "LANTERN_OTLP_ENDPOINT=$GUEST_URL/otlp"
}

# builder_userdata <out>: root logs in with the test key, as on Linode.
builder_userdata() {
  cat >"$1" <<EOF
#cloud-config
disable_root: false
users: []
ssh_authorized_keys:
  - $(cat "$SSH_KEY.pub")
EOF
}

# hold_apt_lists_lock <vm>: another apt holding the package lists' lock on a
# fresh builder, as OCI's Oracle Cloud Agent or an apt-daily run can
# (image/provision.sh, apt_update). It takes the lock as apt does
# (apt-pkg/contrib/fileutl.cc GetLock: a write lock over the whole file with
# fcntl; Python's fcntl.lockf is fcntl F_SETLKW, not flock) and returns once
# it holds it; it lets go when the first `apt-get update` that tried has
# ended (at most after APT_LOCK_MAX_HOLD seconds), so the recipe meets it
# however long its earlier steps take.
APT_LOCK_MARKER=/run/lantern-vm-apt-lists-lock.held
APT_LOCK_MAX_HOLD=240
APT_LOCK_HOLDER=$(
  cat <<'EOF'
import fcntl, os, sys, time
marker, max_hold = sys.argv[1], float(sys.argv[2])
fd = os.open('/var/lib/apt/lists/lock', os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX)
open(marker, 'w').close()
def updating():
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if os.path.basename(argv[0]) == b'apt-get' and argv[1:2] == [b'update']:
            return True
    return False
deadline = time.monotonic() + max_hold
for wanted in (True, False):
    while updating() != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
EOF
)
hold_apt_lists_lock() {
  ssh_guest "$1" systemd-run --unit=lantern-vm-apt-lists-lock --collect \
    python3 -c "$APT_LOCK_HOLDER" "$APT_LOCK_MARKER" "$APT_LOCK_MAX_HOLD" >/dev/null ||
    die "$1: starting the apt lock holder failed"
  wait_for 30 "$1: the apt lock holder" ssh_guest "$1" test -e "$APT_LOCK_MARKER" ||
    die "$1: the apt lock holder never held the lock"
}

# run_recipe <vm>: copy image/ and run it as the program's build steps do:
# the copy lands where CopyToRemote puts it, the scripts run from the paths
# the program's commands name (a mismatch fails here: no such file).
run_recipe() {
  local vm=$1 t0
  copy_to_remote "$vm" "$REPO_DIR/$RECIPE_SOURCE" "$RECIPE_REMOTE_PATH" || die "$vm: copying the recipe failed"
  hold_apt_lists_lock "$vm"
  t0=$(now)
  # shellcheck disable=SC2046 # provision_env is a list of words
  SSH_TIMEOUT=$PROVISION_TIMEOUT ssh_guest "$vm" env $(provision_env) bash "$PROVISION_SCRIPT" \
    >"$RUN_DIR/provision.log" 2>&1 || {
    tail -n 30 "$RUN_DIR/provision.log" >&2
    die "provision.sh failed (see $RUN_DIR/provision.log)"
  }
  timing "provision.sh in the builder" "$(elapsed "$t0")"
  check "$vm: provision.sh waited out another apt's lock on the package lists" \
    grep -q 'the package lists are locked by another apt; retrying' "$RUN_DIR/provision.log"
  # Builder-only trust of the test CA goes before capture (see rootfs.sh).
  ssh_guest "$vm" "rm -f $BUILDER_CA_FILE && update-ca-certificates --fresh >/dev/null 2>&1" ||
    die "$vm: removing the builder-only CA failed"
  # clean-for-capture.sh removes the login keys: the program's own command
  # cleans and schedules the power-off in the same session, the last one on
  # the builder; the marker says the command itself succeeded.
  ssh_guest "$vm" "$CLEAN_POWEROFF && echo CAPTURE-READY" \
    >"$RUN_DIR/clean-for-capture.log" 2>&1 || true
  grep -qx CAPTURE-READY "$RUN_DIR/clean-for-capture.log" || {
    tail -n 30 "$RUN_DIR/clean-for-capture.log" >&2
    die "the clean-and-power-off command failed (see $RUN_DIR/clean-for-capture.log)"
  }
  wait_vm_exit "$vm"
}

# build_base_image: sets BASE_IMG (cached).
build_base_image() {
  local key t0 disk seed ud
  read_build_steps
  key=$(base_key)
  BASE_IMG=$CACHE_DIR/base-$key.qcow2
  if [ -s "$BASE_IMG" ]; then
    log "base image: cached $BASE_IMG"
    return 0
  fi
  [ -f "$RECIPE_DIR/provision.sh" ] || die "no image recipe at $RECIPE_DIR/provision.sh"
  prune_cache base "$BASE_IMG"
  t0=$(now)
  disk=$RUN_DIR/builder.qcow2 seed=$RUN_DIR/builder-seed.img ud=$RUN_DIR/builder-user-data
  qemu-img create -q -f qcow2 -F raw -b "$ROOTFS_IMG" "$disk"
  builder_userdata "$ud"
  make_seed "$seed" "$ud" "builder-$key"
  boot_vm builder "$disk" "$seed" root
  wait_ssh builder "$BUILDER_BOOT_TIMEOUT" || die "builder: no SSH"
  timing "builder boot to SSH" "$(elapsed "$t0")"
  run_recipe builder
  qemu-img convert -O qcow2 "$disk" "$BASE_IMG.partial"
  mv "$BASE_IMG.partial" "$BASE_IMG"
  rm -f "$disk"
  timing "base image build (builder boot + recipe + capture)" "$(elapsed "$t0")"
}

