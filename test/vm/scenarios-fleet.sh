# shellcheck shell=bash
# Fleet scenarios of the real-VM test, sourced by run.sh after its settings
# (LANTERN_E2E_ROUTE_CONFIG) and run on route1, the route the harness boots
# and hot-swaps (no boot of their own):
#   - config pushes (issue 11): the program's push text and payload, a good
#     push and one the running release's `check` rejects;
#   - who reaches the proxy: a connection from outside, through the stock
#     image's boot-time firewall (OCI's Ubuntu: all but SSH rejected);
#   - what the proxy can reach and read, and who logs in (issue 13): instance
#     metadata from lantern-box's cgroup, first boot's secrets from its mount
#     namespace, root SSH logins;
#   - telemetry (issue 16): the running process's OTel attributes after first
#     boot, hot-swaps, failed hot-swaps and pushes; the units the collector's
#     journald receiver reads.
# shellcheck disable=SC2016 # guest-side snippets are expanded in the guest

# ------------------------------------------------------------ pushed configs

# Two configs the program pushes, rendered by render-userdata.ts into
# <tag>.push and <tag>.push-<name>.stdin (it reads every
# LANTERN_E2E_PUSH_ROUTE_CONFIG_<NAME>): the route's config with another
# password (a good push), and one whose shadowsocks method no release knows
# (`check` fails: "initialize inbound[0]: unsupported method: <method>",
# sing-box protocol/shadowsocks/inbound.go, as stubs/lantern-box.c models
# it). The rejected method is a marker: the check's words quote it, and
# they must reach neither the push's output nor the journal.
PUSH_GOOD_PASSWORD=$(printf 'lantern-vm-push!' | base64)
PUSH_REJECTED_PASSWORD=$(printf 'lantern-vm-nope!' | base64)
PUSH_REJECTED_METHOD=lantern-vm-rejected-method
# with_config_value <config> <"key":"old"> <"key":"new">: the config with one value replaced.
with_config_value() {
  [[ $1 == *"$2"* ]] || die "LANTERN_E2E_ROUTE_CONFIG has no $2"
  printf '%s' "${1/"$2"/"$3"}"
}
ROUTE_PASSWORD=$(sed -n 's/.*"password":"\([^"]*\)".*/\1/p' <<<"$LANTERN_E2E_ROUTE_CONFIG")
LANTERN_E2E_PUSH_ROUTE_CONFIG_GOOD=$(with_config_value "$LANTERN_E2E_ROUTE_CONFIG" \
  "\"password\":\"$ROUTE_PASSWORD\"" "\"password\":\"$PUSH_GOOD_PASSWORD\"")
LANTERN_E2E_PUSH_ROUTE_CONFIG_REJECTED=$(with_config_value "$LANTERN_E2E_PUSH_ROUTE_CONFIG_GOOD" \
  "\"password\":\"$PUSH_GOOD_PASSWORD\"" "\"password\":\"$PUSH_REJECTED_PASSWORD\"")
LANTERN_E2E_PUSH_ROUTE_CONFIG_REJECTED=$(with_config_value "$LANTERN_E2E_PUSH_ROUTE_CONFIG_REJECTED" \
  '"method":"2022-blake3-aes-128-gcm"' "\"method\":\"$PUSH_REJECTED_METHOD\"")
export LANTERN_E2E_PUSH_ROUTE_CONFIG_GOOD LANTERN_E2E_PUSH_ROUTE_CONFIG_REJECTED

# push_config <vm> <name> <log>: the program's config push, as remote_release
# runs the release commands: its text as the SSH command, its stdin (the
# install script, then the payload of the files), the management key, the
# route's host key pinned. The text and the files name no release, so the
# first tag's rendering serves whatever release the route runs.
# push_config <vm> <name> <log> [push|push-update]: the push's create (default) or its update.
push_config() {
  local vm=$1 name=$2 out=$3 kind=${4:-push} known_hosts
  known_hosts=$(pin_host_key "$vm")
  SSH_KEY=$MANAGEMENT_KEY KNOWN_HOSTS=$known_hosts ssh_guest "$vm" "$(cat "$RENDERED/$FIRST_TAG.$kind")" \
    <"$RENDERED/$FIRST_TAG.push-$name.stdin" >"$out" 2>&1
}

verified_tag() { ssh_guest "$1" sudo cat /var/lib/lantern-box/verified/tag; }

# attribute <OTEL_RESOURCE_ATTRIBUTES value> <key>: every value of <key>, space-separated.
attribute() { tr ',' '\n' <<<"$1" | sed -n "s/^$2=//p" | paste -sd' '; }

env_file_attributes() { ssh_guest "$1" sudo sed -n 's/^OTEL_RESOURCE_ATTRIBUTES=//p' "$2"; }

test_config_push() {
  local vm=route1 tag ver before out t0 id file attrs
  log "== config push: a good one, one the running release rejects"
  tag=$(verified_tag "$vm")
  ver=${tag#v}
  id=$(nocloud_instance_id "$vm")
  before=$(main_pid "$vm")
  out=$RUN_DIR/$vm-push-good.log
  t0=$(now)
  if push_config "$vm" good "$out" && grep -qx "verified=$tag" "$out"; then
    pass "$vm: the config push of a good config exits 0 and prints verified=$tag"
  else
    fail "$vm: the config push of a good config exits 0 and prints verified=$tag (see $out)"
  fi
  timing "$vm: good config push (check, restart, soak)" "$(elapsed "$t0")"
  check "$vm: config.json holds the pushed config" guest_file_is "$vm" /etc/lantern-box/config.json "$LANTERN_E2E_PUSH_ROUTE_CONFIG_GOOD"
  check "$vm: the push restarted lantern-box (MainPID $before -> new)" test "$(main_pid "$vm")" != "$before"
  check "$vm: the push soaked the restarted release" grep -qE "step=soak tag=$tag outcome=ok" "$out"
  check_running "$vm" "$ver" "$vm after the good config push"
  for file in /etc/lantern-box/otel.env /etc/otelcol-contrib/otelcol.env; do
    attrs=$(env_file_attributes "$vm" "$file")
    check_eq "$vm: $file keeps instance.id and service.version through the push" \
      "instance.id=$id service.version=$ver" "instance.id=$(attribute "$attrs" instance.id) service.version=$(attribute "$attrs" service.version)"
  done
  check_telemetry "$vm" "$ver" "$vm after the good config push"
  check "$vm: the push's output does not quote the pushed password" not_grep "$PUSH_GOOD_PASSWORD" "$out"
  check "$vm: the push ran the install script's configure (control for the update's check below)" grep -q "mode=configure" "$out"
  check "$vm: the management key still logs in after the push (authorized_keys pushed)" management_login "$vm"

  # The push's update (an edited install script or connection, the same files) pushes nothing.
  before=$(main_pid "$vm")
  out=$RUN_DIR/$vm-push-update.log
  check "$vm: the config push's update exits 0" push_config "$vm" good "$out" push-update
  check "$vm: ... and restarts nothing (MainPID $before)" test "$(main_pid "$vm")" = "$before"
  check "$vm: ... and runs no configure" not_grep "mode=configure" "$out"

  before=$(main_pid "$vm")
  out=$RUN_DIR/$vm-push-rejected.log
  t0=$(now)
  check_fails "$vm: a push the release rejects fails" push_config "$vm" rejected "$out"
  timing "$vm: rejected config push" "$(elapsed "$t0")"
  check "$vm: the rejected push fails at step=preflight" grep -qF "FAILED: step=preflight" "$out"
  check "$vm: the rejected push prints no verified= line" not_grep "verified=" "$out"
  check_eq "$vm: the old config's process kept running (MainPID)" "$before" "$(main_pid "$vm")"
  check "$vm: config.json still holds the previous push" guest_file_is "$vm" /etc/lantern-box/config.json "$LANTERN_E2E_PUSH_ROUTE_CONFIG_GOOD"
  check_running "$vm" "$ver" "$vm after the rejected config push"
  check "$vm: the rejected push's output quotes none of its config (text, method, password)" \
    rejected_config_absent_from "$out"
  check "$vm: the journal (shipped to telemetry) has no trace of the rejected config" \
    ssh_guest "$vm" "! sudo journalctl --no-pager --output=cat | grep -qF -e '$PUSH_REJECTED_METHOD' -e '$PUSH_REJECTED_PASSWORD'"
  check "$vm: no staged config is left in /run/lantern" \
    ssh_guest "$vm" 'test -z "$(sudo find /run/lantern -mindepth 1 -maxdepth 1 -name "stage-*")"'
}

rejected_config_absent_from() {
  not_grep "$LANTERN_E2E_PUSH_ROUTE_CONFIG_REJECTED" "$1" && not_grep "$PUSH_REJECTED_METHOD" "$1" &&
    not_grep "$PUSH_REJECTED_PASSWORD" "$1"
}

# ------------------------------------------------------------ telemetry

# nocloud_instance_id <vm>: the instance-id of the vm's NoCloud seed (an
# ISO 9660 image: the meta-data file's bytes are stored as written).
nocloud_instance_id() {
  grep -ao 'instance-id: [A-Za-z0-9._:-]*' "$RUN_DIR/$1-seed.img" | sort -u | sed 's/^instance-id: //' | paste -sd' '
}

# running_attributes <vm> <unit>...: "<unit> <OTEL_RESOURCE_ATTRIBUTES>" of
# each unit's running MainPID, one line each (one SSH round trip).
running_attributes() {
  local vm=$1
  shift
  ssh_guest "$vm" 'for u in '"$*"'; do
    a=$(sudo cat "/proc/$(systemctl show -p MainPID --value "$u")/environ" | tr "\0" "\n" | sed -n "s/^OTEL_RESOURCE_ATTRIBUTES=//p")
    echo "$u $a"
  done'
}

# check_telemetry <vm> <version> <context>: lantern-box's running process
# (and the collector's) carry service.version=<version>, host.name=<route>
# and instance.id=<the NoCloud instance-id>, each once.
check_telemetry() {
  local vm=$1 ver=$2 ctx=$3 id running unit attrs
  id=$(nocloud_instance_id "$vm")
  running=$(running_attributes "$vm" lantern-box.service otelcol-contrib.service)
  while read -r unit attrs; do
    check_eq "$ctx: $unit's running environment names the release, host and instance" \
      "service.version=$ver host.name=$ROUTE_ID instance.id=$id" \
      "service.version=$(attribute "$attrs" service.version) host.name=$(attribute "$attrs" host.name) instance.id=$(attribute "$attrs" instance.id)"
  done <<<"$running"
  [ "$(wc -l <<<"$running")" -eq 2 ] || fail "$ctx: the environments of lantern-box and otelcol-contrib (got: $running)"
}

# The collector's journald receivers, as each runs: one long-lived
# `journalctl --utc --output=json --follow [--no-tail] --unit <unit>...
# --identifier <id>... --priority <p>` (Config.buildArgs in
# pkg/stanza/operator/input/journald/config_linux.go of
# open-telemetry/opentelemetry-collector-contrib), started before the units
# it must read (journalctl resolves a unit pattern once, at its start).
# Each is a transient unit of the guest writing journalctl's JSON to
# /var/tmp/receiver-<name>.json; its arguments come from the image's own
# collector config, so the test reads what the collector would read.
RECEIVER_NAMES=()

# start_journald_receivers <vm>: one follower per journald receiver of the image's config.
start_journald_receivers() {
  local vm=$1 config lines name rest args
  log "== the collector's journald receivers, followed from now on"
  config=$(ssh_guest "$vm" sudo cat /etc/otelcol-contrib/config.yaml)
  check "$vm: the collector's config is the image's (image/otelcol-config.yaml)" \
    test "$config" = "$(cat "$REPO_DIR/image/otelcol-config.yaml")"
  lines=$(cd "$REPO_DIR" && "$NODE" -e 'const receivers = require("yaml").parse(require("fs").readFileSync(0, "utf8")).receivers;
    const known = new Set(["units", "identifiers", "priority", "matches", "start_at", "storage"]);
    for (const [name, r] of Object.entries(receivers).filter(([n]) => n === "journald" || n.startsWith("journald/"))) {
      const unknown = Object.keys(r).filter((k) => !known.has(k));
      if (unknown.length > 0) throw new Error(`${name}: options this stand-in does not rebuild: ${unknown.join(", ")}`);
      const args = ["--utc", "--output=json", "--follow", ...(r.start_at === "beginning" ? ["--no-tail"] : []),
        ...(r.units ?? []).flatMap((u) => ["--unit", u]), ...(r.identifiers ?? []).flatMap((i) => ["--identifier", i]), "--priority", r.priority ?? "info",
        // Each match its FIELD=value pairs, "+" between matches (opentelemetry-collector-contrib
        // pkg/stanza/docs/operators/journald_input.md, "Matches"); sorted keys only make the order fixed.
        ...(r.matches ?? []).flatMap((m, i) => [...(i > 0 ? ["+"] : []), ...Object.keys(m).sort().map((k) => `${k}=${m[k]}`)])];
      if (![name, ...args].every((a) => /^[A-Za-z0-9@._:=\/+-]+$/.test(a))) throw new Error(`${name}: unexpected characters`);
      console.log([name.replace("/", "-"), ...args].join(" "));
    }' <<<"$config") || { fail "$vm: parse the collector's journald receivers"; return 0; }
  RECEIVER_NAMES=()
  while read -r name rest; do
    [ -n "$name" ] || continue
    read -ra args <<<"$rest"
    # journalctl's JSON alone in the file (its warnings to the journal), truncated first
    # (StandardOutput=truncate:, systemd 248 and later: systemd.exec(5)); as the collector's
    # user, with the group its drop-in gives it (image/provision.sh), as the receiver runs it.
    ssh_guest "$vm" sudo systemd-run --quiet --unit="receiver-$name" \
      --property=User=otelcol-contrib --property=SupplementaryGroups=systemd-journal \
      --property=StandardOutput="truncate:/var/tmp/receiver-$name.json" --property=StandardError=journal \
      journalctl "${args[@]}" </dev/null ||
      { fail "$vm: start the $name receiver's journalctl"; continue; }
    RECEIVER_NAMES+=("$name")
  done <<<"$lines"
  check "$vm: the collector has journald receivers (${RECEIVER_NAMES[*]})" test "${#RECEIVER_NAMES[@]}" -gt 0
}

# test_shipped_units <vm>: what the receivers read while first boot's
# aftermath, the pushes, hot-swaps and verifications ran: every transient
# unit the install script ran in, each of its lines, and the steps runbook
# filters rely on (README "Watching a rollout").
test_shipped_units() {
  local vm=$1 name shipped units ran unit
  log "== what the collector's journald receivers read"
  shipped=$RUN_DIR/$vm-shipped-journal.log
  units=$RUN_DIR/$vm-shipped-units.log
  : >"$shipped.json"
  ssh_guest "$vm" sudo journalctl --sync || true
  sleep 2
  # Stopped before they are read: whole lines only, and none left running in a captured image.
  for name in "${RECEIVER_NAMES[@]}"; do
    ssh_guest "$vm" sudo systemctl stop "receiver-$name" || fail "$vm: stop the $name receiver's journalctl"
    ssh_guest "$vm" sudo cat "/var/tmp/receiver-$name.json" >>"$shipped.json" || fail "$vm: read the $name receiver's output"
  done
  # journalctl's JSON: MESSAGE is a string, or an array of bytes when not UTF-8.
  "$NODE" -e 'const fs = require("fs");
    const entries = fs.readFileSync(0, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    const text = (m) => (Array.isArray(m) ? Buffer.from(m).toString() : String(m ?? ""));
    fs.writeFileSync(process.argv[1], entries.map((e) => text(e.MESSAGE) + "\n").join(""));
    fs.writeFileSync(process.argv[2], entries.map((e) => (e._SYSTEMD_UNIT ?? "") + "\n").join(""));' "$shipped" "$units" <"$shipped.json" ||
    fail "$vm: parse the receivers' output"
  check "$vm: shipped logs: first boot's install (cloud-final)" grep -qE '\[lantern-firstboot\] step=done tag=v[0-9.]+ outcome=ok seconds=[0-9]+' "$shipped"
  check "$vm: shipped logs: the tailnet join's outcome" grep -qE '^\[lantern-tailnet\] route=[a-z0-9-]+ step=join outcome=ok$' "$shipped"
  check "$vm: shipped logs: the refused tailnet join" \
    grep -qxF "[lantern-tailnet] FAILED: step=join outcome=failed: tailscale up exited 1" "$shipped"
  check "$vm: shipped logs: the hot-swap whose install script arrived cut off" \
    grep -qxF "[lantern-hotswap] FAILED: step=receive outcome=failed: the install script arrived incomplete or altered" "$shipped"
  check "$vm: shipped logs: a hot-swap's install (lantern-install-*)" grep -qE '\[lantern-install\] step=done tag=v[0-9.]+ outcome=ok mode=install' "$shipped"
  check "$vm: shipped logs: a verification (lantern-verify-*)" grep -qE '\[lantern-install\] step=done tag=v[0-9.]+ outcome=ok mode=verify' "$shipped"
  check "$vm: shipped logs: a config push (lantern-configure-*)" grep -qE '\[lantern-install\] step=done tag=v[0-9.]+ outcome=ok mode=configure' "$shipped"
  check "$vm: shipped logs: the crashing release's failed soak" grep -qF "FAILED: step=soak tag=$CRASH_TAG" "$shipped"
  check "$vm: shipped logs: the rejected push's failed pre-flight" grep -qE 'FAILED: step=preflight tag=v[0-9.]+ .*rejects the new config' "$shipped"
  # lantern-box's own output (a real one logs every client's address) stays on the box; systemd's lines about it do not.
  check "$vm: shipped logs: systemd's line on the crashing release's exit" \
    grep -qE '^lantern-box\.service: Main process exited, code=exited, status=2/' "$shipped"
  check "$vm: lantern-box's own output is in the journal (control)" \
    test -n "$(ssh_guest "$vm" sudo journalctl --quiet --no-pager _SYSTEMD_UNIT=lantern-box.service)"
  check_eq "$vm: shipped logs: no line of lantern-box's own output" 0 "$(grep -cxF lantern-box.service "$units")"
  # Every transient unit the install script ran in since the receivers started was read.
  ran=$(ssh_guest "$vm" sudo journalctl --field=_SYSTEMD_UNIT | grep -E '^lantern-(install|verify|configure)-' | sort) || true
  for name in install verify configure; do
    check "$vm: the install ran in lantern-$name-* units" grep -q "^lantern-$name-" <<<"$ran"
  done
  for unit in $ran; do
    grep -qxF "$unit" "$units" || fail "$vm: the collector read nothing of the install's unit $unit"
  done
  [ -z "$ran" ] || pass "$vm: the collector read all $(wc -l <<<"$ran") install/verify/configure units of this boot"
}

# ------------------------------------------------------------ metadata

# The stand-in (metadata-stand-in.mjs) at each provider's address: Linode
# and OCI 169.254.169.254, Alibaba Cloud 100.100.100.200 (the sources are
# listed in image/metadata-block.nft). A user network forwards
# only addresses inside its own network (libslirp src/slirp.c,
# check_guestfwd; qemu says "Conflicting/invalid host:port in guest
# forwarding rule" for 169.254.169.254 on the 10.0.2.0/24 network), so each
# address gets a second NIC on a user network around it, restricted like
# the first; the guest addresses it by MAC (configure_metadata_links).
# Each entry: the NIC's MAC, the guest's address on it, the user network,
# the service address.
METADATA_LINKS=(
  "52:54:00:a9:fe:01 169.254.0.15/16 169.254.0.0/16 169.254.169.254"
  "52:54:00:64:64:01 100.100.100.15/24 100.100.100.0/24 100.100.100.200"
)

# start_metadata_stand_in <user-data>: serve it, and give every VM booted
# from now on the metadata NICs (boot_vm appends VM_EXTRA_QEMU_ARGS).
start_metadata_stand_in() {
  local port_file=$RUN_DIR/metadata.port link mac guest net addr i=0
  "$NODE" "$VM_DIR/metadata-stand-in.mjs" --user-data "$1" --port-file "$port_file" >"$RUN_DIR/metadata-stand-in.log" 2>&1 &
  track_pid $!
  wait_for 20 "metadata stand-in" test -s "$port_file" || die "metadata stand-in did not start (see $RUN_DIR/metadata-stand-in.log)"
  for link in "${METADATA_LINKS[@]}"; do
    read -r mac guest net addr <<<"$link"
    VM_EXTRA_QEMU_ARGS+=(-netdev "user,id=md$i,restrict=on,net=$net,guestfwd=tcp:$addr:80-cmd:socat - TCP:127.0.0.1:$(cat "$port_file")"
      -device "virtio-net-pci,netdev=md$i,mac=$mac")
    i=$((i + 1))
  done
  log "metadata stand-in on 127.0.0.1:$(cat "$port_file") (guest: 169.254.169.254:80, 100.100.100.200:80)"
}

# Run as root on the guest: address the metadata NICs (by MAC), then try the
# stand-in as root in the SSH session's cgroup and from inside
# lantern-box.service's cgroup (the cgroup image/metadata-block.nft matches,
# `socket cgroupv2`); a shell moves itself there (cgroup.procs) and execs
# curl. The rule drops, so a blocked request times out (curl exit 28,
# "Operation timed out"; everything.curl.dev/cmdline/exitcode); the stand-in
# is on the host and answers at once, so 5 s is plenty when it is reachable.
# Also prints the cgroup's inode (the id the rule resolved when it was
# loaded: a new start makes a new one) and whether the table is loaded.
# Prints key=value lines.
METADATA_PROBE_SCRIPT=$(
  cat <<'EOF'
set -u
while read -r mac addr; do
  [ -n "$mac" ] || continue
  dev=$(grep -lix "$mac" /sys/class/net/*/address | awk -F/ '{ print $5 }')
  ip link set "$dev" up && ip addr replace "$addr" dev "$dev"
done <<LINKS
$1
LINKS
cg=/sys/fs/cgroup$(systemctl show -p ControlGroup --value lantern-box.service)
in_unit() { bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"; }
linode_token() { curl -sS --max-time 10 -X PUT -H 'Metadata-Token-Expiry-Seconds: 60' http://169.254.169.254/v1/token; }
ali_token() { curl -sS --max-time 10 -X PUT -H 'X-aliyun-ecs-metadata-token-ttl-seconds: 60' http://100.100.100.200/latest/api/token; }
one_line() { tr '\n' ' ' <<<"$1"; }
# root_user_data <token>: the first line of the route's user-data. A GET is
# safe to repeat, and one CI run lost it on the emulated path (qemu's user
# network, socat, the stand-in) while the token before it and every other
# request got through; so up to three tries, each failure printed.
root_user_data() {
  local try body
  for try in 1 2 3; do
    if body=$(curl -sS --max-time 10 -H "Metadata-Token: $1" http://169.254.169.254/v1/user-data 2>&1); then
      echo "root_linode_user_data=$(base64 -d <<<"$body" | head -n 1)"
      return
    fi
    echo "root_linode_user_data_failed=try $try: $(one_line "$body")"
    sleep 1
  done
}
if t=$(linode_token 2>&1); then
  echo "root_linode_token=${#t}"
  root_user_data "$t"
else
  echo "root_linode_token_failed=$(one_line "$t")"
fi
t=$(ali_token 2>&1) && echo "root_ali_token=${#t}" || echo "root_ali_token_failed=$(one_line "$t")"
echo "unit_cgroup=$(in_unit cat /proc/self/cgroup)"
echo "unit_cgroup_inode=$(stat -c %i "$cg")"
echo "metadata_table=$(nft list table inet lantern_metadata >/dev/null 2>&1 && echo loaded || echo absent)"
echo "unit_release_server=$(in_unit curl -sS --max-time 20 -o /dev/null -w '%{http_code}' https://10.0.2.100/ca/lanternet-ca.crt 2>&1)"
r=$(in_unit curl -sS --max-time 5 -X PUT -H 'Metadata-Token-Expiry-Seconds: 60' http://169.254.169.254/v1/token 2>&1) && rc=0 || rc=$?
echo "unit_linode=$(one_line "$r") exit=$rc"
r=$(in_unit curl -sS --max-time 5 -X PUT -H 'X-aliyun-ecs-metadata-token-ttl-seconds: 60' http://100.100.100.200/latest/api/token 2>&1) && rc=0 || rc=$?
echo "unit_ali=$(one_line "$r") exit=$rc"
# The tailnet: tailscaled routes each peer out of tailscale0 (tailscale
# wgengine/router/osrouter/router_linux.go); the stand-in tailscaled makes
# no interface, so a dummy one stands in, routing one peer address. It
# discards what it is given and counts it (IPv6 off: nothing else is sent).
if [ ! -e /sys/class/net/tailscale0 ]; then
  ip link add tailscale0 type dummy && { sysctl -qw net.ipv6.conf.tailscale0.disable_ipv6=1 || true; } &&
    ip link set tailscale0 up && ip route replace 100.64.0.7/32 dev tailscale0
fi
tx() { cat /sys/class/net/tailscale0/statistics/tx_packets; }
a=$(tx); curl -sS --max-time 2 http://100.64.0.7/ >/dev/null 2>&1; b=$(tx)
in_unit curl -sS --max-time 2 http://100.64.0.7/ >/dev/null 2>&1; c=$(tx)
echo "tailnet_root_tx=$((b - a))"
echo "tailnet_unit_tx=$((c - b))"
# The route's own tailnet address, where tailscaled's peer API listens
# (tailscale ipn/ipnlocal/local.go, initPeerAPIListener: one listener per
# node address): local, so reached over lo, not tailscale0. A listener
# stands in for the peer API.
ip addr replace 100.64.0.8/32 dev tailscale0
systemctl is-active --quiet tailnet-self-stand-in ||
  systemd-run --quiet --unit=tailnet-self-stand-in python3 -m http.server --bind 100.64.0.8 --directory /tmp 8099
for _ in $(seq 50); do curl -s -o /dev/null --max-time 1 http://100.64.0.8:8099/ && break; sleep 0.1; done
echo "tailnet_self_root=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://100.64.0.8:8099/ 2>&1)"
r=$(in_unit curl -sS --max-time 3 -o /dev/null -w '%{http_code}' http://100.64.0.8:8099/ 2>&1) && rc=0 || rc=$?
echo "tailnet_self_unit=$(one_line "$r") exit=$rc"
EOF
)

# probe_metadata <vm> <name>: run the probe; PROBE_OUT is its output file,
# PROBE_TOKENS the tokens the stand-in handed out during it ("<linode> <ali>").
PROBE_OUT="" PROBE_TOKENS=""
probe_metadata() {
  local vm=$1 links="" link mac guest stand_in_from qemu_from stand_in
  PROBE_OUT=$RUN_DIR/$vm-metadata-probe-$2.log
  stand_in=$PROBE_OUT.stand-in
  for link in "${METADATA_LINKS[@]}"; do
    read -r mac guest _ <<<"$link"
    links+="$mac $guest"$'\n'
  done
  stand_in_from=$(($(wc -l <"$RUN_DIR/metadata-stand-in.log") + 1))
  qemu_from=$(($(wc -l <"$RUN_DIR/$vm.qemu.log") + 1))
  ssh_guest "$vm" sudo bash -s -- "$links" <<<"$METADATA_PROBE_SCRIPT" >"$PROBE_OUT" 2>&1 || true
  # What the stand-in logged during the probe (one line per request).
  tail -n "+$stand_in_from" "$RUN_DIR/metadata-stand-in.log" >"$stand_in"
  PROBE_TOKENS=$(printf '%s %s' "$(grep -c ' PUT /v1/token 200$' "$stand_in")" "$(grep -c ' PUT /latest/api/token 200$' "$stand_in")")
  # A request that failed on the way is named in the run's output, with what
  # the stand-in and qemu printed meanwhile (qemu runs a guestfwd "cmd:"
  # through libslirp, qemu net/slirp.c slirp_guestfwd, which reports one it
  # could not start on stderr: libslirp src/misc.c, fork_exec), so a failure
  # in CI explains itself.
  if grep -q '_failed=' "$PROBE_OUT"; then
    {
      sed -n 's/^\(.*\)_failed=/\1 failed: /p' "$PROBE_OUT"
      sed 's/^/stand-in: /' "$stand_in"
      tail -n "+$qemu_from" "$RUN_DIR/$vm.qemu.log" | sed 's/^/qemu: /'
    } | while read -r line; do log "$vm probe $2: $line"; done
  fi
}

probe_value() { sed -n "s/^$1=//p" "$PROBE_OUT"; } # <key>

# test_metadata_unreachable <vm> <name> <when>: root reaches the stand-in,
# lantern-box.service's cgroup does not. METADATA_CGROUP_INODE is the
# inode of the cgroup it probed.
METADATA_CGROUP_INODE=""
test_metadata_unreachable() {
  local vm=$1 when=$3
  log "== lantern-box cannot reach instance metadata ($when)"
  probe_metadata "$vm" "$2"
  check_eq "$vm $when: root reaches the Linode/OCI metadata stand-in (token length)" 32 "$(probe_value root_linode_token)"
  check_eq "$vm $when: ... and reads the route's user-data from it" "#cloud-config" "$(probe_value root_linode_user_data)"
  check_eq "$vm $when: root reaches the Alibaba Cloud metadata stand-in (token length)" 32 "$(probe_value root_ali_token)"
  check_eq "$vm $when: the probe runs in lantern-box.service's cgroup" "0::/system.slice/lantern-box.service" "$(probe_value unit_cgroup)"
  check_eq "$vm $when: the metadata block (table inet lantern_metadata) is loaded" loaded "$(probe_value metadata_table)"
  check_eq "$vm $when: from lantern-box's cgroup the release server is reachable (control)" 200 "$(probe_value unit_release_server)"
  check "$vm $when: from lantern-box's cgroup 169.254.169.254 times out, dropped ($(probe_value unit_linode))" \
    grep -qE '^unit_linode=.* exit=28$' "$PROBE_OUT"
  check "$vm $when: from lantern-box's cgroup 100.100.100.200 times out, dropped ($(probe_value unit_ali))" \
    grep -qE '^unit_ali=.* exit=28$' "$PROBE_OUT"
  check_eq "$vm $when: the stand-in served root's requests only (Linode, Alibaba tokens)" "1 1" "$PROBE_TOKENS"
  check "$vm $when: root reaches a tailnet peer through tailscale0 (control: $(probe_value tailnet_root_tx) packets)" \
    test "$(probe_value tailnet_root_tx)" -gt 0
  check_eq "$vm $when: from lantern-box's cgroup nothing leaves through tailscale0" 0 "$(probe_value tailnet_unit_tx)"
  check_eq "$vm $when: root reaches the route's own tailnet address (control)" 200 "$(probe_value tailnet_self_root)"
  check "$vm $when: from lantern-box's cgroup the route's own tailnet address times out, dropped ($(probe_value tailnet_self_unit))" \
    grep -qE '^tailnet_self_unit=.* exit=28$' "$PROBE_OUT"
  METADATA_CGROUP_INODE=$(probe_value unit_cgroup_inode)
}

# test_metadata_block_per_start <vm>: the block is what stops the proxy,
# and each start of the unit loads it for that start's cgroup. With the
# table deleted, the probe reaches the stand-in from lantern-box's cgroup
# (so the probe would catch a missing rule); `systemctl restart` makes a new
# cgroup (a new inode) and its ExecStartPre= loads the table again, for it.
test_metadata_block_per_start() {
  local vm=$1 before
  before=$METADATA_CGROUP_INODE
  log "== the metadata block, deleted, then loaded again by a restart"
  ssh_guest "$vm" sudo nft delete table inet lantern_metadata >"$RUN_DIR/$vm-metadata-delete.log" 2>&1 ||
    fail "$vm: nft delete table inet lantern_metadata (see $RUN_DIR/$vm-metadata-delete.log)"
  probe_metadata "$vm" without-table
  check_eq "$vm without the table: the probe sees it absent" absent "$(probe_value metadata_table)"
  check "$vm without the table: from lantern-box's cgroup 169.254.169.254 answers (the probe catches a missing rule; $(probe_value unit_linode))" \
    grep -qE '^unit_linode=[0-9a-f]{32} +exit=0$' "$PROBE_OUT"
  check "$vm without the table: from lantern-box's cgroup 100.100.100.200 answers ($(probe_value unit_ali))" \
    grep -qE '^unit_ali=[0-9a-f]{32} +exit=0$' "$PROBE_OUT"
  check_eq "$vm without the table: the stand-in served root and lantern-box's cgroup (Linode, Alibaba tokens)" "2 2" "$PROBE_TOKENS"
  check "$vm without the table: from lantern-box's cgroup a tailnet peer is reached through tailscale0 ($(probe_value tailnet_unit_tx) packets)" \
    test "$(probe_value tailnet_unit_tx)" -gt 0
  check "$vm without the table: from lantern-box's cgroup the route's own tailnet address answers ($(probe_value tailnet_self_unit))" \
    grep -qE '^tailnet_self_unit=200 +exit=0$' "$PROBE_OUT"
  ssh_guest "$vm" sudo systemctl restart lantern-box.service >"$RUN_DIR/$vm-metadata-restart.log" 2>&1 ||
    fail "$vm: systemctl restart lantern-box.service (see $RUN_DIR/$vm-metadata-restart.log)"
  test_metadata_unreachable "$vm" after-restart "after systemctl restart"
  check "$vm: the restart made a new cgroup (inode $before -> $METADATA_CGROUP_INODE)" \
    test -n "$before" -a -n "$METADATA_CGROUP_INODE" -a "$before" != "$METADATA_CGROUP_INODE"
}

# ------------------------------------------------------------ secrets on disk

# Run as root on the guest: which of first boot's secrets lantern-box's
# mount namespace (InaccessiblePaths= of image/provision.sh's confine.conf)
# can read, against root outside it, and where the Tailscale key the join
# read from its stdin rests (nowhere). The secrets to look for
# (tailscale_key, host_key_line) are set by lines put before it: not as
# arguments, which sudo would log to the journal.
SECRETS_PROBE_SCRIPT=$(
  cat <<'EOF'
set -u
pid=$(systemctl show -p MainPID --value lantern-box.service)
# as_unit [+cap] <command>: in the unit's mount namespace, as root with only
# the capabilities systemd gave the unit (its bounding set; none
# inheritable, so an exec as root gets exactly those: capabilities(7)),
# plus the one named. The kernel's ptrace check guards /proc/<pid>/root.
caps=$(systemctl show -p CapabilityBoundingSet --value lantern-box.service)
echo "unit_capabilities=$caps"
# The sets of the running process holding CAP_DAC_READ_SEARCH (2) or CAP_SYS_PTRACE (19).
echo "unit_main_bounding=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$pid/status")"
echo "unit_main_with_ptrace_or_dac=$(while read -r set value; do
  case $set in Cap*:) (((16#$value >> 2 & 1) | (16#$value >> 19 & 1))) && printf '%s ' "$set" ;; esac
done <"/proc/$pid/status")"
as_unit() {
  local extra="" set=-all c
  case $1 in +*) extra=",$1" && shift ;; esac
  for c in $caps; do set="$set,+${c#cap_}"; done
  nsenter -t "$pid" -m -- setpriv --inh-caps=-all --ambient-caps=-all --bounding-set="$set$extra" -- "$@"
}
for f in /var/lib/cloud/instance/user-data.txt /run/cloud-init/instance-data-sensitive.json /etc/ssh/ssh_host_ed25519_key /etc/lantern-box/config.json; do
  root=no unit=no proc=no ptrace=no
  [ -e "$f" ] && cat "$f" >/dev/null 2>&1 && root=yes
  nsenter -t "$pid" -m cat "$f" >/dev/null 2>&1 && unit=yes
  # Resolved first: an absolute symlink under /proc/1/root (/var/lib/cloud/instance) resolves in the reader's own root.
  real=$(readlink -f "$f")
  as_unit cat "/proc/1/root$real" >/dev/null 2>&1 && proc=yes
  as_unit +sys_ptrace cat "/proc/1/root$real" >/dev/null 2>&1 && ptrace=yes
  echo "file $f root=$root unit=$unit"
  echo "proc $f unit=$proc with_sys_ptrace=$ptrace"
done
# Devices, FIFOs and sockets skipped (-D skip): a FIFO would block the
# search. The status tells a finished search (0 found, 1 none) from a cut one.
dirs="/etc /var /run /root /home /tmp /srv /opt /usr/local"
search() { # [nsenter ...]: the files holding either secret, then " status=<grep's exit>"
  local found status=0
  found=$(timeout 300 "$@" grep -rlF -D skip -e "$tailscale_key" -e "$host_key_line" $dirs 2>/dev/null) || status=$?
  printf '%s status=%s\n' "$(sort <<<"$found" | paste -sd' ')" "$status"
}
echo "root_hits=$(search)"
echo "unit_hits=$(search nsenter -t "$pid" -m)"
# Only the Tailscale key: the first search's hits name files, not which secret.
host_key_line=$tailscale_key
echo "root_tailscale_key_hits=$(search)"
EOF
)

test_secrets_unreadable() {
  local vm=$1 out=$RUN_DIR/$1-secrets-probe.log key_line f t0
  log "== first boot's secrets, from lantern-box's mount namespace"
  key_line=$(sed -n 2p "$KEYS_DIR/host_ed25519")
  t0=$(now)
  printf 'tailscale_key=%q host_key_line=%q\n%s\n' "$LANTERN_E2E_TAILSCALE_AUTH_KEY" "$key_line" "$SECRETS_PROBE_SCRIPT" |
    ssh_guest "$vm" sudo bash -s >"$out" 2>&1 || true
  timing "$vm: secrets probe (two searches of the disk)" "$(elapsed "$t0")"
  for f in /var/lib/cloud/instance/user-data.txt /run/cloud-init/instance-data-sensitive.json /etc/ssh/ssh_host_ed25519_key; do
    check_eq "$vm: $f exists for root, unreadable from lantern-box's mount namespace" \
      "file $f root=yes unit=no" "$(grep -F "file $f " "$out")"
  done
  check_eq "$vm: lantern-box's namespace reads its own config.json (control)" \
    "file /etc/lantern-box/config.json root=yes unit=yes" "$(grep -F "file /etc/lantern-box/config.json " "$out")"
  check_eq "$vm: lantern-box's capabilities are the network ones (confine.conf)" \
    "unit_capabilities=cap_net_bind_service cap_net_admin cap_net_raw" "$(grep '^unit_capabilities=' "$out")"
  check_eq "$vm: ... and its running process's bounding set (NET_BIND_SERVICE, NET_ADMIN, NET_RAW)" \
    "unit_main_bounding=0000000000003400" "$(grep '^unit_main_bounding=' "$out")"
  check_eq "$vm: ... none of whose capability sets holds CAP_SYS_PTRACE or CAP_DAC_READ_SEARCH" \
    "unit_main_with_ptrace_or_dac=" "$(grep '^unit_main_with_ptrace_or_dac=' "$out")"
  for f in /var/lib/cloud/instance/user-data.txt /run/cloud-init/instance-data-sensitive.json /etc/ssh/ssh_host_ed25519_key; do
    check_eq "$vm: with the unit's capabilities /proc/1/root$f (resolved) is unreadable; with CAP_SYS_PTRACE, as the release's unit grants, it is (control)" \
      "proc $f unit=no with_sys_ptrace=yes" "$(grep -F "proc $f " "$out")"
  done
  check "$vm: root finds the host key in cloud-init's copy of the user-data (control)" \
    grep -qE '^root_hits=.*/user-data\.txt.* status=[02]$' "$out"
  check_eq "$vm: the Tailscale key the join read from stdin rests in no file, for root either (search finished)" \
    "root_tailscale_key_hits= status=1" "$(grep '^root_tailscale_key_hits=' "$out")"
  check_eq "$vm: from lantern-box's namespace no file holds the Tailscale key or the host private key (search finished)" \
    "unit_hits= status=1" "$(grep '^unit_hits=' "$out")"
}

# ------------------------------------------------------------ SSH logins

test_root_login() {
  local vm=$1 key body
  log "== only the management user logs in"
  check "$vm: root SSH login with the operator key (sshPublicKeys) is refused" root_login_refused "$vm"
  check "$vm: root SSH login with the program's management key is refused" env_root_login_refused "$vm" "$MANAGEMENT_KEY"
  check "$vm: the operator key logs in as lantern (control)" ssh_guest "$vm" true
  check "$vm: the management key logs in as lantern (control)" management_login "$vm"
  for key in "$SSH_KEY" "$MANAGEMENT_KEY"; do
    body=$(cut -d' ' -f2 "$key.pub")
    check "$vm: /root/.ssh/authorized_keys does not hold $(basename "$key").pub" \
      ssh_guest "$vm" "! sudo grep -qsF '$body' /root/.ssh/authorized_keys"
  done
  log "$vm: sshd -T: $(ssh_guest "$vm" sudo sshd -T 2>/dev/null | grep -i '^permitrootlogin ')"
}

env_root_login_refused() { SSH_KEY=$2 root_login_refused "$1"; }

# ------------------------------------------------------------ inbound

# The stock image here boots with the firewall of OCI's Ubuntu images
# (stubs/oci-ubuntu-rules.v4, loaded by netfilter-persistent: INPUT rejects
# all but SSH), and the recipe leaves a route's inbound to its cloud
# firewall (image/provision.sh, step_host_firewall). So a connection from
# outside the guest to the proxy port must reach lantern-box's listener.
# From outside means qemu's forward of the port: libslirp accepts on the
# host side at once and only then sends the guest a SYN, from the user
# network's host address 10.0.2.2 (src/tcp_subr.c, tcp_connect;
# src/socket.c, sotranslate_accept), and it ignores an ICMP unreachable
# from the guest (src/ip_icmp.c, icmp_input: "XXX? report error? close
# socket?"). So the host side cannot tell a rejected connection: the probe
# reads the guest's side, an established connection on the port from
# 10.0.2.2 (the stub, like the proxy, listens; one not yet accepted is
# established too). The same probe with OCI's catch-all put back, live,
# must see none, or it could not tell either.

# The recipe's own pattern of a catch-all INPUT rule, and the stock image's
# catch-all (the rule the control puts back, as iptables arguments).
CATCH_ALL_INPUT_RE=$(sed -n "s/^readonly CATCH_ALL_INPUT_RE='\(.*\)'\$/\1/p" "$REPO_DIR/image/provision.sh")
read -ra OCI_CATCH_ALL_REJECT <<<"$(grep -E -- "$CATCH_ALL_INPUT_RE" "$STOCK_IPTABLES_RULES" | sed 's/^-A //')"
no_catch_all_input() { [ -n "$CATCH_ALL_INPUT_RE" ] && ! grep -Eq -- "$CATCH_ALL_INPUT_RE" <<<"$1"; }

# inbound_connections <vm>: how many established connections on the proxy
# port came from outside; fails when the guest cannot be asked.
inbound_connections() {
  local out
  out=$(ssh_guest "$1" ss -Htn state established "( sport = :$PROXY_PORT )") || return 1
  grep -c '10\.0\.2\.2\]*:' <<<"$out" || true
}
has_inbound() { local n; n=$(inbound_connections "$1") && [ "$n" -ge 1 ]; }
no_inbound() { local n; n=$(inbound_connections "$1") && [ "$n" -eq 0 ]; }
# input_rejects <vm>: packets INPUT's REJECT rules have rejected.
input_rejects() { ssh_guest "$1" sudo iptables -L INPUT -nvx | awk '$3 == "REJECT" { n += $1 } END { print n + 0 }'; }
rejected_some() { local n; n=$(input_rejects "$1") && [ "$n" -ge 1 ]; }

# connect_from_outside <vm>: opens a connection to the vm's forwarded proxy
# port; sets INBOUND_FD (close it with close_inbound).
connect_from_outside() {
  exec {INBOUND_FD}<>"/dev/tcp/127.0.0.1/${VM_PROXY_PORT[$1]}" && return 0
  fail "$1: connecting to its forwarded proxy port ${VM_PROXY_PORT[$1]}"
  return 1
}
close_inbound() { exec {INBOUND_FD}>&-; }


test_inbound_from_outside() {
  local vm=$1 rules
  rules=$(ssh_guest "$vm" sudo iptables -S) || rules=""
  check "$vm: booted with the image's iptables rules: Oracle's InstanceServices kept" \
    grep -qxF -- "-A OUTPUT -d 169.254.0.0/16 -j InstanceServices" <<<"$rules"
  check "$vm: and no catch-all reject on INPUT" no_catch_all_input "$rules"
  no_inbound "$vm" || fail "$vm: a connection from outside before the probe"

  # This probe first: the control's connection outlives it (below).
  connect_from_outside "$vm" || return 0
  if wait_for 20 "$vm: a connection from outside" has_inbound "$vm"; then
    pass "$vm: a connection from outside reaches the proxy port :$PROXY_PORT"
  else
    fail "$vm: a connection from outside reaches the proxy port :$PROXY_PORT: $(ssh_guest "$vm" sudo iptables -S INPUT | paste -sd' ')"
  fi
  close_inbound
  # Closed by the host: slirp sends the established connection a FIN, and the
  # unaccepted connection leaves ESTABLISHED.
  wait_for 20 "$vm: the probe's connection to close" no_inbound "$vm" || fail "$vm: the probe's connection did not close"

  # The control: OCI's catch-all back, the same probe, until the rule has
  # rejected its SYN. slirp keeps resending a SYN the guest never answered,
  # for up to 75 s (src/tcp_timer.h, TCPTV_KEEP_INIT), whatever the host side
  # does: it reads a host socket only once the connection is established
  # (src/slirp.c, slirp_pollfds_fill: CONN_CANFRCV),
  # so once the rule is gone a resent SYN gets through and the guest holds
  # one more connection from outside: nothing after this counts them.
  if [ "${#OCI_CATCH_ALL_REJECT[@]}" -gt 1 ] && ssh_guest "$vm" sudo iptables -A "${OCI_CATCH_ALL_REJECT[@]}"; then
    if connect_from_outside "$vm"; then
      if wait_for 20 "$vm: OCI's catch-all to reject the probe" rejected_some "$vm"; then
        check "$vm: with OCI's catch-all back, the same probe sees no connection (it can tell)" no_inbound "$vm"
      else
        fail "$vm: with OCI's catch-all back, the rule rejected nothing within 20 s"
      fi
      close_inbound
    fi
    ssh_guest "$vm" sudo iptables -D "${OCI_CATCH_ALL_REJECT[@]}" || fail "$vm: removing OCI's catch-all again"
  else
    fail "$vm: putting OCI's catch-all back"
  fi
}

# ------------------------------------------------------------ entry points

route_running() {
  [ -n "${VM_PID[$1]:-}" ] && kill -0 "${VM_PID[$1]}" 2>/dev/null && return 0
  fail "$1: running for the fleet scenarios"
  return 1
}

# test_fleet_after_first_boot: on route1 before the hot-swaps (the push
# configures the release first boot verified; the hot-swaps then run on the
# pushed config).
test_fleet_after_first_boot() {
  route_running route1 || return 0
  start_journald_receivers route1
  check_telemetry route1 "${FIRST_TAG#v}" "route1 after first boot"
  test_inbound_from_outside route1
  test_config_push
  test_metadata_unreachable route1 first-boot "after first boot and the pushes"
  test_metadata_block_per_start route1
  test_secrets_unreadable route1
  test_root_login route1
}

# test_fleet_after_hot_swaps: what the hot-swaps, verifications and pushes
# left in the journal.
test_fleet_after_hot_swaps() {
  route_running route1 || return 0
  local before=$METADATA_CGROUP_INODE
  test_metadata_unreachable route1 after-hot-swaps "after the hot-swaps and rollbacks"
  check "route1: the hot-swaps made new cgroups (inode $before -> $METADATA_CGROUP_INODE)" \
    test -n "$before" -a -n "$METADATA_CGROUP_INODE" -a "$before" != "$METADATA_CGROUP_INODE"
  test_shipped_units route1
}
