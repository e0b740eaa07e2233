import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { INSTALL_SYSLOG_IDENTIFIER } from "../cloud-init/userdata";
import { HTTPS_URL_PATTERN } from "../../stacks/patterns";
import { RECIPE_DIR } from "./recipe";

const files = readdirSync(RECIPE_DIR);
const scripts = files.filter((f) => f.endsWith(".sh"));
const recipe = readFileSync(path.join(RECIPE_DIR, "provision.sh"), "utf8");

/** One of the recipe's one-line settings or functions, as its text, to run under bash. */
function recipePart(pattern: RegExp, what: string): string {
  const text = pattern.exec(recipe)?.[0];
  assert.ok(text, `provision.sh defines ${what}`);
  return text;
}
const recipeFunction = (name: string): string => recipePart(new RegExp(`^${name}\\(\\) \\{[^\\n]*\\n(?: [^\\n]*\\n)*\\}$`, "m"), name);

/** Runs `script` under bash with `args` and extra `env`; its exit status is 0. */
function bashSucceedsWith(env: Record<string, string>, script: string, ...args: string[]): boolean {
  const result = spawnSync("bash", ["-c", script, "test", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(result.stderr, "");
  return result.status === 0;
}
const bashSucceeds = (script: string, ...args: string[]): boolean => bashSucceedsWith({}, script, ...args);

describe("the image recipe (image/)", () => {
  it("passes shellcheck", () => {
    assert.ok(scripts.includes("provision.sh") && scripts.includes("clean-for-capture.sh"));
    const result = spawnSync("shellcheck", ["--external-sources", ...scripts.map((f) => path.join(RECIPE_DIR, f))], { encoding: "utf8" });
    assert.equal(result.error, undefined, "shellcheck must be installed");
    assert.equal(result.status, 0, result.stdout);
  });

  it("checks its URLs with exactly the config schema's pattern (one pattern, as the install script)", () => {
    assert.equal(/^readonly HTTPS_URL_RE='(.*)'$/m.exec(recipe)?.[1], HTTPS_URL_PATTERN);
  });

  it("names no release and installs no lantern-box", () => {
    for (const file of files) {
      const text = readFileSync(path.join(RECIPE_DIR, file), "utf8");
      assert.doesNotMatch(text, /\bv\d+\.\d+\.\d+\b/, `${file} names a release`);
      assert.doesNotMatch(text, /lantern-box_[^\s]*\.deb/, `${file} names a lantern-box package`);
      assert.doesNotMatch(text, /apt-get[^\n]*install[^\n]*lantern-box\b/, `${file} installs lantern-box`);
    }
  });

  it("refuses an image whose cloud-init would drop Linode's gzipped user-data", () => {
    // The recipe's own function, run under bash with Debian's real dpkg --compare-versions.
    const fn = recipeFunction("cloud_init_reads_user_data");
    const reads = (platform: string, version: string): boolean => bashSucceeds(`${fn}\ncloud_init_reads_user_data "$1" "$2"`, platform, version);
    // Versions as Ubuntu 24.04 tags them (canonical/cloud-init tags ubuntu/<version>).
    assert.equal(reads("akamai", "24.1.3-0ubuntu3.3"), false);
    assert.equal(reads("akamai", "24.3.1-0ubuntu0~24.04.1"), false);
    assert.equal(reads("akamai", "24.4-0ubuntu1~24.04.1"), true);
    assert.equal(reads("akamai", "25.1.4-0ubuntu0~24.04.1"), true);
    // Other datasources hand gzip over as bytes, which cloud-init unpacks (cloudinit/user_data.py, convert_string).
    assert.equal(reads("oracle", "24.1.3-0ubuntu3.3"), true);
    assert.equal(reads("nocloud", "22.4.2-1+deb12u4"), true);
  });

  it("refuses an image whose booting cloud-init is not the package whose version it checked", () => {
    // The recipe's functions, run with this machine's real dpkg database, python3 and cloud-init package (npm test installs it).
    const owner = recipePart(/^of_cloud_init_package\(\) \{[^\n]*$/m, "of_cloud_init_package");
    const moduleIsThePackages = (env: Record<string, string> = {}): boolean =>
      bashSucceedsWith(env, `${owner}\n${recipeFunction("cloud_init_module_is_the_packages")}\ncloud_init_module_is_the_packages`);
    assert.equal(moduleIsThePackages(), true, "Debian's cloud-init package, as installed");
    const dir = mkdtempSync(path.join(tmpdir(), "recipe-cloudinit-"));
    try {
      // A `cloudinit` earlier on Python's path, as a copy installed from source under /usr/local would be.
      mkdirSync(path.join(dir, "cloudinit"));
      writeFileSync(path.join(dir, "cloudinit", "__init__.py"), "");
      assert.equal(moduleIsThePackages({ PYTHONPATH: dir }), false, "a copy outside dpkg would be imported");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The units: where systemd read each of the package's units from. No systemd runs here, so
    // `systemctl show -P FragmentPath <unit>` (systemctl(1): -P is --value --property) answers as
    // systemd would: the unit file's path (org.freedesktop.systemd1(5), FragmentPath). The VM test
    // runs the same check under a real systemd.
    const unitsAreThePackages = (fragmentOf: string): boolean =>
      bashSucceeds(`systemctl() { ${fragmentOf}; }\n${recipeFunction("cloud_init_units_are_the_packages")}\ncloud_init_units_are_the_packages`);
    assert.equal(unitsAreThePackages('echo "/lib/systemd/system/$4"'), true, "every unit from the package's files");
    assert.equal(unitsAreThePackages('[ "$4" = cloud-final.service ] && echo "/etc/systemd/system/$4" || echo "/lib/systemd/system/$4"'), false, "one unit replaced under /etc");
    assert.equal(unitsAreThePackages("echo"), false, "a unit systemd does not know");
  });

  it("leaves a route's inbound to its cloud firewall where the stock image rejects all but SSH (OCI's Ubuntu)", () => {
    // The stock file, as users of OCI's Ubuntu images posted it (sources in the file); the VM test boots with it.
    const stock = readFileSync(path.join(RECIPE_DIR, "..", "test", "vm", "stubs", "oci-ubuntu-rules.v4"), "utf8");
    const setting = recipePart(/^readonly CATCH_ALL_INPUT_RE=[^\n]*$/m, "CATCH_ALL_INPUT_RE");
    const functions = [setting, recipeFunction("open_inbound_to_cloud_firewall"), recipeFunction("inbound_left_to_cloud_firewall")].join("\n");
    const dir = mkdtempSync(path.join(tmpdir(), "recipe-firewall-"));
    try {
      const rules = path.join(dir, "rules.v4");
      const leftToCloud = (): boolean => bashSucceeds(`${functions}\ninbound_left_to_cloud_firewall "$1"`, rules);
      const open = (): void => assert.ok(bashSucceeds(`${functions}\nopen_inbound_to_cloud_firewall "$1"`, rules));

      assert.equal(leftToCloud(), true, "no file: nothing loads at boot");
      writeFileSync(rules, stock);
      assert.equal(leftToCloud(), false, "the stock file rejects the proxy ports");
      open();
      const reject = "-A INPUT -j REJECT --reject-with icmp-host-prohibited";
      assert.ok(stock.split("\n").includes(reject));
      // Only the catch-all goes: SSH, the FORWARD reject and Oracle's InstanceServices rules stay.
      assert.deepEqual(readFileSync(rules, "utf8").split("\n"), stock.split("\n").filter((line) => line !== reject));
      assert.equal(leftToCloud(), true);
      open();
      assert.deepEqual(readFileSync(rules, "utf8").split("\n"), stock.split("\n").filter((line) => line !== reject), "a second run changes nothing");

      // Other spellings of a catch-all: with iptables-save's counters, with a comment match.
      for (const catchAll of ["-A INPUT -j DROP", `[12:345] ${reject}`, '-A INPUT -m comment --comment "default deny" -j REJECT']) {
        writeFileSync(rules, stock.replace(reject, catchAll));
        assert.equal(leftToCloud(), false, catchAll);
        open();
        assert.deepEqual(readFileSync(rules, "utf8").split("\n"), stock.split("\n").filter((line) => line !== reject), catchAll);
      }
      // A rule that matches something is the image's business, not a catch-all.
      const narrow = "-A INPUT -s 192.0.2.0/24 -j DROP";
      writeFileSync(rules, stock.replace(reject, narrow));
      open();
      assert.ok(readFileSync(rules, "utf8").split("\n").includes(narrow));
      writeFileSync(rules, stock.replace(reject, "").replace(":INPUT ACCEPT [0:0]", ":INPUT DROP [0:0]"));
      assert.equal(leftToCloud(), false, "so is a DROP policy, which the step does not change");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a collector config that is valid YAML", () => {
    assert.ok(parse(readFileSync(path.join(RECIPE_DIR, "otelcol-config.yaml"), "utf8")));
  });

  it("ships the install script's runs by their identifier, and names units only by their exact names", () => {
    // journalctl resolves a --unit glob once, against the units already in the journal, and the
    // receiver runs one journalctl --follow (systemd src/journal/journalctl.c add_units,
    // get_possible_units; receiver: pkg/stanza/operator/input/journald/config_linux.go,
    // buildArgs, in open-telemetry/opentelemetry-collector-contrib): a pattern would miss every
    // unit that starts after the collector. Units and identifiers given to one receiver are ANDed.
    const config = parse(readFileSync(path.join(RECIPE_DIR, "otelcol-config.yaml"), "utf8")) as {
      receivers: Record<string, { units?: string[]; identifiers?: string[] }>;
      service: { pipelines: { logs: { receivers: string[] } } };
    };
    const journald = Object.entries(config.receivers).filter(([name]) => name === "journald" || name.startsWith("journald/"));
    for (const [name, receiver] of journald) {
      for (const unit of receiver.units ?? []) assert.doesNotMatch(unit, /[*?[]/, `${name}: ${unit}`);
      assert.ok(!(receiver.units?.length && receiver.identifiers?.length), `${name}: units and identifiers in one receiver match only entries that have both`);
    }
    const byIdentifier = journald.filter(([, r]) => r.identifiers?.includes(INSTALL_SYSLOG_IDENTIFIER)).map(([name]) => name);
    assert.equal(byIdentifier.length, 1);
    assert.ok(config.service.pipelines.logs.receivers.includes(byIdentifier[0]!));
  });
});
