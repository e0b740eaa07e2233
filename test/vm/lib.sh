# shellcheck shell=bash disable=SC2034 # globals shared by the sourced stage files
# Shared helpers of the real-VM test: logging, results, bounded waits,
# process tracking, SSH, and qemu boots. Sourced by run.sh and the stages.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)
CACHE_DIR=${LANTERN_VM_CACHE:-$REPO_DIR/.cache/vm}
WWW_DIR=$CACHE_DIR/www        # document root of the local https server
PKI_DIR=$CACHE_DIR/pki        # test CA, server certificate, repo signing key
SSH_KEY=$CACHE_DIR/ssh/id_ed25519
# Fixed guest-side address of the https server (qemu guestfwd).
GUEST_SERVER=10.0.2.100
GUEST_URL=https://$GUEST_SERVER

NODE=${NODE:-$REPO_DIR/node_modules/.bin/node}
QEMU_MEM=${LANTERN_VM_MEM:-1024}
QEMU_SMP=${LANTERN_VM_SMP:-2}

declare -a TRACKED_PIDS=()
# More qemu arguments for every VM booted from then on (the metadata
# stand-in's NICs: scenarios-fleet.sh).
declare -a VM_EXTRA_QEMU_ARGS=()
declare -A VM_PID=() VM_PORT=() VM_PROXY_PORT=() VM_CONSOLE=()
PASSED=0
FAILED=0

log() { printf '[vm-test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

pass() { PASSED=$((PASSED + 1)); printf 'PASS: %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*"; }

# die: the harness itself cannot go on; counts as a failure.
die() {
  fail "harness: $*"
  exit 1
}

# check "<description>" <command...>: one PASS/FAIL line from an exit status.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# check_fails "<description>" <command...>: PASS when the command fails.
check_fails() {
  local what=$1
  shift
  if "$@"; then fail "$what"; else pass "$what"; fi
}

# check_eq "<description>" <expected> <actual>
check_eq() {
  if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}

SUMMARY_PRINTED=""
summary() {
  SUMMARY_PRINTED=1
  printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
  [ "$FAILED" -eq 0 ]
}

# Every inner time limit is "timeout --foreground": it stays in the run's
# process group, so the whole-run limit (run.sh) reaches its children too.

# Seconds since the epoch, with decimals, for timings.
now() { date +%s.%N; }
# elapsed <start>: seconds since <start>, one decimal.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

timing() { printf 'TIMING: %s: %ss\n' "$1" "$2"; }

track_pid() { TRACKED_PIDS+=("$1"); }

# Kill every process this run started (EXIT trap), newest first, bounded.
cleanup_pids() {
  local i pid
  for ((i = ${#TRACKED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${TRACKED_PIDS[i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill "$pid" 2>/dev/null || true
    wait_for 10 "pid $pid to exit" pid_gone "$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# wait_for <timeout-seconds> "<what>" <command...>: poll once a second until
# the command succeeds; non-zero (and a log line) on timeout.
wait_for() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 1
  done
}

# A free TCP port on 127.0.0.1 (the kernel picks it).
free_port() {
  "$NODE" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close(); });'
}

# ssh_argv <vm>: sets SSH_ARGV to the ssh command line that logs in to the
# VM (no remote command). KNOWN_HOSTS=<file> pins the host key (as the
# program's connections do); else any key is accepted.
ssh_argv() {
  local vm=$1 hostkeys=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)
  [ -z "${KNOWN_HOSTS:-}" ] || hostkeys=(-o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$KNOWN_HOSTS")
  SSH_ARGV=(ssh -q -i "$SSH_KEY" -p "${VM_PORT[$vm]}" -o BatchMode=yes "${hostkeys[@]}"
    -o LogLevel=ERROR -o ConnectTimeout=5 -o ServerAliveInterval=10 "${VM_USER[$vm]}@127.0.0.1")
}

# ssh_guest <vm> <script>          run a shell snippet as the VM's login user
# ssh_guest <vm> <command> <arg>... run one command, arguments quoted as given
# stdin is passed through (for "bash -s < script").
ssh_guest() {
  local vm=$1
  shift
  [ "$#" -eq 1 ] || set -- "$(printf '%q ' "$@")"
  ssh_argv "$vm"
  timeout --foreground "${SSH_TIMEOUT:-600}" "${SSH_ARGV[@]}" "$@"
}

# copy_to_remote <vm> <local-dir> <remotePath>: what @pulumi/command's
# CopyToRemote does with a local directory (pulumi/pulumi-command,
# provider/pkg/provider/remote/copyController.go, sftpCopy: remotePath is
# created when missing; "source dir -> dest/dir, source dir/ -> dest/x for x
# in dir"): without a trailing slash the directory lands as
# <remotePath>/<basename>, with one its contents land in <remotePath>.
# (scp -r differs: into a missing <remotePath> it copies the contents.)
copy_to_remote() {
  local vm=$1 source=$2 dest=$3
  [[ $source == */ ]] || dest=$dest/$(basename "$source")
  tar -C "$source" -cf - . | ssh_guest "$vm" "mkdir -p $(printf '%q' "$dest") && tar -C $(printf '%q' "$dest") -xf -"
}

# scp_to_guest <vm> <local-path> <remote-path>
scp_to_guest() {
  timeout --foreground 120 scp -q -r -i "$SSH_KEY" -P "${VM_PORT[$1]}" \
    -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o ConnectTimeout=5 \
    "$2" "${VM_USER[$1]}@127.0.0.1:$3"
}

declare -A VM_USER=()

# make_seed <out.img> <user-data file> <instance-id>: NoCloud seed disk.
make_seed() {
  local meta
  meta=$(mktemp "$CACHE_DIR/tmp/meta-data.XXXXXX")
  printf 'instance-id: %s\nlocal-hostname: %s\n' "$3" "$3" >"$meta"
  cloud-localds "$1" "$2" "$meta"
  rm -f "$meta"
}

# boot_vm <vm> <disk.qcow2> <seed.img> <ssh-user>: start qemu in the
# background (TCG, user network restricted to forwards of SSH and the
# route's proxy port, $PROXY_PORT, and the https server's guestfwd). Sets
# VM_PID/VM_PORT/VM_PROXY_PORT/VM_CONSOLE/VM_USER for <vm>.
boot_vm() {
  local vm=$1 disk=$2 seed=$3 port proxy_port netdev
  port=$(free_port)
  proxy_port=$(free_port)
  [ -s "$CACHE_DIR/server.port" ] || die "https server not started"
  netdev="user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22"
  netdev+=",hostfwd=tcp:127.0.0.1:$proxy_port-:${PROXY_PORT:?}"
  netdev+=",guestfwd=tcp:$GUEST_SERVER:443-cmd:socat - TCP:127.0.0.1:$(cat "$CACHE_DIR/server.port")"
  VM_CONSOLE[$vm]=$RUN_DIR/$vm.console.log
  VM_PORT[$vm]=$port
  VM_PROXY_PORT[$vm]=$proxy_port
  VM_USER[$vm]=$4
  qemu-system-x86_64 -accel tcg -cpu max -m "$QEMU_MEM" -smp "$QEMU_SMP" \
    -nographic -monitor none -serial "file:${VM_CONSOLE[$vm]}" \
    -kernel "$KERNEL" -initrd "$INITRD" \
    -append "root=/dev/vda rw console=ttyS0 net.ifnames=0" \
    -drive "file=$disk,if=virtio,format=qcow2" \
    -drive "file=$seed,if=virtio,format=raw,readonly=on" \
    -netdev "$netdev" -device virtio-net-pci,netdev=net0 "${VM_EXTRA_QEMU_ARGS[@]}" \
    </dev/null >"$RUN_DIR/$vm.qemu.log" 2>&1 &
  VM_PID[$vm]=$!
  track_pid "${VM_PID[$vm]}"
  log "$vm: qemu pid ${VM_PID[$vm]}, ssh 127.0.0.1:$port, console ${VM_CONSOLE[$vm]}"
}

vm_ssh_ready() {
  kill -0 "${VM_PID[$1]}" 2>/dev/null || die "$1: qemu exited (see $RUN_DIR/$1.qemu.log)"
  SSH_TIMEOUT=15 ssh_guest "$1" true 2>/dev/null
}

# wait_ssh <vm> <timeout>
wait_ssh() { wait_for "$2" "$1 ssh" vm_ssh_ready "$1"; }

vm_boot_finished() { SSH_TIMEOUT=15 ssh_guest "$1" test -e /var/lib/cloud/instance/boot-finished; }

# stop_vm <vm>: poweroff from inside, bounded; kill qemu if it hangs.
stop_vm() {
  local vm=$1
  SSH_TIMEOUT=20 ssh_guest "$vm" sudo systemctl poweroff >/dev/null 2>&1 || true
  wait_vm_exit "$vm"
}

# wait_vm_exit <vm>: qemu ends when the guest powers off; kill it if not.
wait_vm_exit() {
  wait_for 120 "$1 to power off" pid_gone "${VM_PID[$1]}" || kill "${VM_PID[$1]}" 2>/dev/null || true
  wait "${VM_PID[$1]}" 2>/dev/null || true
}

# prune_cache <glob-prefix> <keep>: drop older cached builds.
prune_cache() {
  local old
  for old in "$CACHE_DIR/$1"-*; do
    [ "$old" = "$2" ] || [ ! -e "$old" ] || rm -rf "$old"
  done
}

# overlay <backing> <out.qcow2>: copy-on-write disk on an absolute backing path.
overlay() {
  qemu-img create -q -f qcow2 -F qcow2 -b "$(realpath "$1")" "$2"
}

server_up() { [ -s "$CACHE_DIR/server.port" ]; }

# start_server: the one https server process, before any qemu.
start_server() {
  rm -f "$CACHE_DIR/server.port"
  "$NODE" "$VM_DIR/serve.mjs" --root "$WWW_DIR" --cert "$PKI_DIR/server.crt" \
    --key "$PKI_DIR/server.key" --port-file "$CACHE_DIR/server.port" \
    >"$RUN_DIR/https-server.log" 2>&1 &
  track_pid $!
  wait_for 20 "https server" server_up || die "https server did not start (see $RUN_DIR/https-server.log)"
  log "https server on 127.0.0.1:$(cat "$CACHE_DIR/server.port") (guest: $GUEST_URL)"
}

# host_fetch <path>: fetch from the local server as a guest would, checking
# the certificate against the test CA.
host_fetch() {
  curl -fsS --cacert "$PKI_DIR/ca.crt" --max-time 20 \
    --resolve "$GUEST_SERVER:443:127.0.0.1" --connect-to "$GUEST_SERVER:443:127.0.0.1:$(cat "$CACHE_DIR/server.port")" \
    "$GUEST_URL/$1"
}
