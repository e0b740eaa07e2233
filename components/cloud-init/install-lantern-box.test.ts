/**
 * The install script as text: lint, the rules it shares with the config
 * schema, what it may ask of the lantern-box binary, and that it cannot be
 * cut short when it arrives on stdin. Its behaviour on a real box (install,
 * soak, pre-flight, rollback, an SSH session dropped mid-way) is proven by
 * the VM test (test/vm) against a stand-in that does only what the real
 * lantern-box does.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { HTTPS_URL, HTTPS_URL_PATTERN, RELEASE_TAG, RELEASE_TAG_PATTERN } from "../../stacks/patterns";
import { INSTALL_SCRIPT } from "./userdata";

const lines = INSTALL_SCRIPT.split("\n");
const bash = (script: string, options: { input?: string; env?: NodeJS.ProcessEnv; args?: string[] } = {}) =>
  spawnSync("bash", ["-c", script, "bash", ...(options.args ?? [])], { input: options.input, env: options.env, encoding: "utf8" });

describe("install-lantern-box.sh", () => {
  it("passes shellcheck", () => {
    const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: INSTALL_SCRIPT, encoding: "utf8" });
    assert.equal(result.error, undefined, "shellcheck must be installed (.ci/run installs it)");
    assert.equal(result.status, 0, result.stdout);
  });

  it("checks tags and URLs with exactly the config schema's patterns, and bash agrees with JavaScript on them", () => {
    const literal = (name: string) => lines.find((l) => l.startsWith(`readonly ${name}='`))?.slice(`readonly ${name}='`.length, -1);
    assert.equal(literal("RELEASE_TAG_RE"), RELEASE_TAG_PATTERN);
    assert.equal(literal("HTTPS_URL_RE"), HTTPS_URL_PATTERN);
    const samples = [
      "v0.0.73", "v1.20.300", "v01.0.0", "v0.0", "0.0.73", "v0.0.73 ", "v0.0.73\nv0.0.74", "v0.0.7$(id)",
      "https://github.com/getlantern/lantern-box/releases/download", "https://a.aa/~", "https://10.0.2.100:8443/releases",
      "https://Example.com", "https://a.aa/", "http://a.aa", "https://a.aa/x?y", "https://u@a.aa", "https://a.aa/$(id)", "https://a.aa/é",
    ];
    // One bash process: prints 1/0 per sample for each pattern, under the script's own locale rule.
    const check = bash(
      `export LC_ALL=C; for s in "$@"; do [[ $s =~ $TAG ]] && printf 1 || printf 0; [[ $s =~ $URL ]] && echo 1 || echo 0; done`,
      { args: samples, env: { ...process.env, TAG: RELEASE_TAG_PATTERN, URL: HTTPS_URL_PATTERN } },
    );
    assert.equal(check.status, 0, check.stderr);
    const expected = samples.map((s) => `${Number(RELEASE_TAG.test(s))}${Number(HTTPS_URL.test(s))}`);
    assert.deepEqual(check.stdout.trim().split("\n"), expected);
    assert.ok(expected.includes("01") && expected.includes("10") && expected.includes("00"), "the samples exercise both rules both ways");
  });

  it("never asks the binary for a version: it runs it only as `check --config`, and reads the running one only to hash it", () => {
    // lantern-box has no `version` subcommand and no --version flag (cmd/main.go of getlantern/lantern-box).
    // Binaries are run in one place, config_check, as `check --config`; its callers pass the new or the installed binary.
    const runs = lines.filter((l) => /"\$1" /.test(l) && l.includes("timeout"));
    assert.deepEqual(runs.map((l) => /"\$1" (\S+ \S+)/.exec(l)?.[1]), ["check --config"]);
    const callers = lines.filter((l) => /\bconfig_check "/.test(l)).map((l) => /config_check ("[^"]+")/.exec(l)?.[1]);
    assert.deepEqual(callers.sort(), ['"$work/root/$BINARY"', '"/$BINARY"'].sort());
    const procExe = lines.filter((l) => l.includes("/proc/$pid/exe"));
    assert.ok(procExe.length > 0 && procExe.every((l) => /md5sum "\/proc\/\$pid\/exe"/.test(l)), procExe.join("\n"));
    assert.doesNotMatch(INSTALL_SCRIPT, /lantern-box"? +(version|--version)\b|\$BINARY"? +(version|--version)\b|exe"? +(version|--version)\b/);
  });

  it("is parsed whole before anything runs, and gives its steps no stdin", () => {
    assert.equal(lines.filter((l) => l.trim() !== "").at(-1), 'main "$@" </dev/null');
    const syntax = spawnSync("bash", ["-n"], { input: INSTALL_SCRIPT, encoding: "utf8" });
    assert.equal(syntax.status, 0, syntax.stderr);
    // Top level: only settings, constants and function definitions until the last line.
    const topLevel = lines.filter((l) => /^\S/.test(l) && !l.startsWith("#") && l !== "}");
    for (const line of topLevel.slice(0, -1)) assert.match(line, /^(\)$|set |export |readonly |[a-z_]+="[^"]*"( [a-z_]+=\S+)*$|[a-z0-9_]+\(\) \{)/, line);
  });

  it("cannot be cut short by a step that reads stdin when it arrives on stdin (bash -s)", () => {
    // A `dpkg` that swallows its stdin, as a prompting maintainer script would.
    const shims = mkdtempSync(path.join(tmpdir(), "stdin-shims-"));
    writeFileSync(path.join(shims, "dpkg"), "#!/bin/sh\ncat >/dev/null\nexit 0\n");
    writeFileSync(path.join(shims, "dpkg-query"), "#!/bin/sh\ncat >/dev/null\nexit 1\n");
    for (const f of ["dpkg", "dpkg-query"]) chmodSync(path.join(shims, f), 0o755);
    const env = { PATH: `${shims}:${process.env.PATH}`, LANTERN_RELEASE_BASE_URL: "https://releases.example.com" };
    const run = (script: string, args: string[]) =>
      spawnSync("bash", ["-s", "--", ...args], { input: script, env, encoding: "utf8", timeout: 60_000 });

    // Control: a plain top-level script is truncated by such a step and still exits 0.
    const flat = run('echo before\ndpkg --audit\necho after\n', []);
    assert.equal(flat.status, 0);
    assert.equal(flat.stdout, "before\n", "the shim swallows the rest of a flat script");

    // The install script runs to its own verdict: dpkg-query finds nothing, so verify fails, naming the step.
    // (It takes the lock under /run/lantern: CI runs as root.)
    const result = run(INSTALL_SCRIPT, ["verify", "v0.0.73"]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /\[lantern-install\] FAILED: step=verify tag=v0\.0\.73 .*dpkg reports 'nothing', expected 0\.0\.73/);
  });
});

describe("install-lantern-box.sh's clock (monotonic_us)", () => {
  it("measures a unit's uptime on systemd's monotonic clock, on a box up for days and after a suspend", () => {
    // A time namespace whose boot clock runs 100,000 s ahead stands for a guest that was suspended that long:
    // CLOCK_BOOTTIME (and /proc/uptime: proc(5), "including time spent in suspend") count it, CLOCK_MONOTONIC,
    // which systemd stamps units with (src/basic/time-util.c, dual_timestamp_now), does not (clock_gettime(2)).
    // It also puts the boot clock past 2^31 microseconds, where mawk's `printf "%d"` stops at 2147483647
    // (`mawk 'BEGIN { printf "%d\n", 2^31 }'` prints 2147483647 with mawk 1.3.4-20200120, Debian 12's).
    const fn = lines.find((l) => l.startsWith("monotonic_us() {")) ?? assert.fail("monotonic_us is defined on one line");
    const inNamespace = ["--time", "--boottime", "100000", "bash", "-c", `${fn}\nmonotonic_us`];
    // Unprivileged where user namespaces are allowed; else through sudo (Ubuntu 24.04, GitHub's runners
    // included, restricts them: kernel.apparmor_restrict_unprivileged_userns=1; actions/runner-images#10443).
    let result = spawnSync("unshare", ["--user", "--map-root-user", ...inNamespace], { encoding: "utf8" });
    if (result.status !== 0) result = spawnSync("sudo", ["-n", "unshare", ...inNamespace], { encoding: "utf8" });
    assert.equal(result.status, 0, `unshare --time needs a user namespace or sudo, and Linux 5.6+: ${result.stderr}`);
    const monotonicUs = process.hrtime.bigint() / 1000n; // libuv's uv_hrtime: CLOCK_MONOTONIC (libuv src/unix/linux.c, uv__hrtime)
    const skewSeconds = Number(monotonicUs - BigInt(result.stdout.trim())) / 1e6;
    assert.ok(skewSeconds >= 0 && skewSeconds < 10, `monotonic_us is ${skewSeconds} s from CLOCK_MONOTONIC`);
  });
});
