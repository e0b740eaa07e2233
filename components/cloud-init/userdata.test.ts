import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { parse, stringify } from "yaml";
import { parseFleetConfig, type Route, routesOf } from "../../stacks/config";
import { OTEL_CLOUD_PROVIDER, USER_DATA_LIMITS } from "../../stacks/catalog";
import { decodeUserData, encodeUserData, UserDataTooLargeError } from "./encoding";
import { INSTALL_SCRIPT, INSTALL_SCRIPT_PATH, renderUserData } from "./userdata";
import { encodeRouteUserData } from "./index";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDTHlpOZpSeiM5yPfwRYVzzRJARhRua3es3vmSmBWPPN ops@lantern-fleet";
const config = parseFleetConfig({
  releaseTag: "v0.0.73",
  releaseChecksums: { "v0.0.74": { arm64: "b".repeat(64) } },
  tracks: { stable: {}, canary: { releaseTag: "v0.0.74" } },
  sshPublicKeys: [KEY],
  image: { caCertUrl: "https://ops.example.net/ca.crt" },
  providers: {
    linode: { rollout: "replace", regions: { "us-lax": { stable: 1 } } },
    alicloud: { rollout: "hotswap", regions: { "ap-southeast-1": { canary: 1 } } },
    oci: { rollout: "hotswap", compartmentId: "ocid1.compartment.oc1..aaaatest", regions: { "us-ashburn-1": { canary: 1 } } },
  },
});
const secrets = { routeConfig: '{"inbounds":[{"type":"x","listen_port":443}]}' };
const keys = {
  managementPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIManagementKeyForTestsOnly0000000000000000",
  hostPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyForTestsOnly00000000000000000000000",
  hostPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nTESTONLY\n-----END OPENSSH PRIVATE KEY-----\n",
};
const routes = routesOf(config);
const route = (id: string): Route => routes.find((r) => r.id === id) ?? assert.fail(id);

interface CloudConfig {
  hostname: string;
  users: { name: string; ssh_authorized_keys: string[] }[];
  ssh_keys: Record<string, string>;
  ssh_genkeytypes: string[];
  write_files: { path: string; permissions: string; content: string }[];
  runcmd: (string | string[])[];
}
const rendered = (r: Route): CloudConfig => {
  const text = renderUserData({ route: r, stack: "staging", config, secrets, keys });
  assert.ok(text.startsWith("#cloud-config\n"));
  return parse(text) as CloudConfig;
};
const file = (doc: CloudConfig, path: string) => doc.write_files.find((f) => f.path === path) ?? assert.fail(path);
/** runcmd as shell lines, close enough to cloud-init's (it joins a list's words with spaces, each single-quoted). */
const shellLines = (doc: CloudConfig): string[] => doc.runcmd.map((c) => (Array.isArray(c) ? c.join(" ") : c));

describe("renderUserData", () => {
  for (const r of routes) {
    it(`${r.id}: tags telemetry with the route, installs its track's tag, and keeps secrets in 0600 files`, () => {
      const doc = rendered(r);
      assert.equal(doc.hostname, r.id);
      assert.deepEqual(doc.users, [{ name: "lantern", ssh_authorized_keys: [KEY, keys.managementPublicKey] }]);
      assert.deepEqual(doc.ssh_keys, { ed25519_private: keys.hostPrivateKey, ed25519_public: keys.hostPublicKey });
      // With ssh_keys given, cloud-init deletes the image's host keys and generates none, so the
      // injected key is the only one; ssh_genkeytypes names the type it would generate otherwise.
      assert.deepEqual(doc.ssh_genkeytypes, ["ed25519"]);
      const attributes =
        `service.name=vps-proxy,service.version=${r.releaseTag.slice(1)},host.name=${r.id},route.id=${r.id},` +
        `deployment.environment=staging,cloud.provider=${OTEL_CLOUD_PROVIDER[r.provider]},cloud.region=${r.region},lantern.track=${r.track}`;
      for (const envFile of ["/etc/lantern-box/otel.env", "/etc/otelcol-contrib/otelcol.env"]) {
        assert.ok(file(doc, envFile).content.includes(`OTEL_RESOURCE_ATTRIBUTES=${attributes}\n`), envFile);
        assert.equal(file(doc, envFile).permissions, "0600");
      }
      assert.equal(file(doc, "/etc/lantern-box/config.json").content, secrets.routeConfig);
      assert.equal(file(doc, "/etc/lantern-box/config.json").permissions, "0600");
      assert.equal(file(doc, INSTALL_SCRIPT_PATH).content, INSTALL_SCRIPT);
      assert.equal(doc.runcmd[0], "set -eu");
      const install = doc.runcmd.find((c) => Array.isArray(c) && c.includes(INSTALL_SCRIPT_PATH)) as string[];
      assert.deepEqual(install.slice(-3), [INSTALL_SCRIPT_PATH, "install", r.releaseTag]);
      assert.ok(install.includes(`LANTERN_RELEASE_BASE_URL=${config.releaseBaseUrl}`));
      assert.ok(install.includes("LANTERN_SOAK_SECONDS=30"));
      assert.equal(install.some((a) => a.startsWith("LANTERN_DEB_SHA256=")), r.debSha256 !== undefined);
      // User-data exists before the instance and stays in its metadata: a one-off key goes over SSH instead.
      assert.ok(!JSON.stringify(rendered(r)).includes("tailscale"), "no Tailscale key or join in user-data (components/tailscale joins over SSH)");
    });

    it(`${r.id}: side steps (telemetry) cannot stop the proxy install, and their failure still fails first boot`, () => {
      const script = shellLines(rendered(r));
      const installAt = script.findIndex((line) => line.includes(INSTALL_SCRIPT_PATH));
      for (const side of ["systemctl restart otelcol-contrib.service", "cloud-init query v1.instance_id"]) {
        const line = script.find((l) => l.includes(side)) ?? assert.fail(side);
        assert.match(line, /^t=\$\(date \+%s\); if .*; then log [\w-]+ ok "\$t"; else log [\w-]+ failed "\$t" >&2; failed_side_steps=/);
        assert.ok(script.indexOf(line) < installAt, `${side} runs before the install`);
      }
      assert.match(script.at(-2)!, /^if \[ -n "\$failed_side_steps" \]; then log "done" degraded .*; exit 1; fi$/);
      assert.ok(installAt < script.length - 2, "the degraded exit comes after the install");
    });
  }

  it("first boot's lines carry step, tag, outcome and seconds, as /bin/sh runs them", () => {
    const r = route("linode-us-lax-stable-1");
    const script = shellLines(rendered(r));
    const log = script.find((line) => line.startsWith("log() {")) ?? assert.fail("no log function in runcmd");
    // Steps as runcmd calls them; the start is set 7 seconds back, so the done lines' seconds are known.
    const calls = ['start=$(($(date +%s) - 7)) t=$(date +%s)', 'log otel failed "$t"', "log install started", 'log "done" degraded "$start" "failed: otel"', 'log "done" ok "$start"'];
    // A fixed clock (a shell function comes before the date command), so no second ticks between calls.
    const clock = "date() { echo 1700000000; }";
    const result = spawnSync("sh", ["-eu", "-c", [clock, log, ...calls].join("\n")], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const tag = r.releaseTag;
    assert.deepEqual(result.stdout.trimEnd().split("\n"), [
      `[lantern-firstboot] step=otel tag=${tag} outcome=failed seconds=0`,
      `[lantern-firstboot] step=install tag=${tag} outcome=started`,
      `[lantern-firstboot] step=done tag=${tag} outcome=degraded seconds=7 failed: otel`,
      `[lantern-firstboot] step=done tag=${tag} outcome=ok seconds=7`,
    ]);
  });

  it("a tag bump changes service.version in the telemetry env files and nothing else there", () => {
    const r = route("linode-us-lax-stable-1");
    const bumped = { ...r, releaseTag: "v0.0.80" };
    for (const path of ["/etc/lantern-box/otel.env", "/etc/otelcol-contrib/otelcol.env"]) {
      const before = file(rendered(r), path).content;
      const after = file(rendered(bumped), path).content;
      assert.notEqual(before, after);
      assert.equal(after, before.replace("service.version=0.0.73,", "service.version=0.0.80,"), path);
    }
  });

  it("first boot appends the provider's instance id from cloud-init's instance data to both env files, checked first", () => {
    const line = shellLines(rendered(route("oci-us-ashburn-1-canary-1"))).find((l) => l.includes("cloud-init query v1.instance_id"));
    assert.ok(line, "an instance-id step");
    assert.match(line, /case "\$id" in ''\|\*\[!A-Za-z0-9._:-\]\*\) false ;; esac && sed -i/);
    assert.match(line, /instance\.id=\$id\/" \/etc\/lantern-box\/otel\.env \/etc\/otelcol-contrib\/otelcol\.env;/);
    assert.match(line, /else log instance-id failed "\$t" >&2;/, "a side step: telemetry never blocks the install");
  });

  it("gives each track its own tag: canary routes get the override", () => {
    assert.equal(route("alicloud-ap-southeast-1-canary-1").releaseTag, "v0.0.74");
    assert.match(renderUserData({ route: route("linode-us-lax-stable-1"), stack: "s", config, secrets, keys }), /\bv0\.0\.73\n/);
    assert.doesNotMatch(renderUserData({ route: route("linode-us-lax-stable-1"), stack: "s", config, secrets, keys }), /v0\.0\.74/);
  });

  it("is deterministic", () => {
    const r = route("oci-us-ashburn-1-canary-1");
    assert.equal(
      renderUserData({ route: r, stack: "prod", config, secrets, keys }),
      renderUserData({ route: r, stack: "prod", config, secrets, keys }),
    );
  });

  it("writes the install script as the YAML library writes it without the reuse tag, first time and reused", () => {
    for (const r of [...routes, ...routes]) {
      const text = renderUserData({ route: r, stack: "prod", config, secrets, keys });
      assert.equal(text, `#cloud-config\n${stringify(parse(text), { lineWidth: 0 })}`, r.id);
    }
  });
});

describe("encodeUserData", () => {
  it("sends plain base64 when it fits and decodes back", () => {
    const encoded = encodeRouteUserData(route("alicloud-ap-southeast-1-canary-1"), "staging", config, secrets, keys);
    assert.equal(encoded.gzipped, false);
    assert.equal(decodeUserData(encoded.base64), renderUserData({ route: route("alicloud-ap-southeast-1-canary-1"), stack: "staging", config, secrets, keys }));
  });

  it("gzips when plain base64 is over the limit, deterministically", () => {
    const big = `#cloud-config\n# ${"padding ".repeat(2000)}\n`;
    const a = encodeUserData("r1", "linode", big);
    assert.equal(a.gzipped, true);
    assert.ok(a.countedBytes <= USER_DATA_LIMITS.linode.bytes);
    assert.equal(a.base64, encodeUserData("r1", "linode", big).base64);
    assert.equal(decodeUserData(a.base64), big);
  });

  it("gives each document the bytes Buffer.from would, in any order and size (one scratch buffer is reused)", () => {
    const documents = [
      `#cloud-config\n# ${"padding ".repeat(20_000)}\n`, // 160 kB: past the first scratch buffer, gzipped
      "#cloud-config\nhostname: ünïcode-→-✓\n", // multi-byte UTF-8, plain
      `#cloud-config\n# ${"ключ ".repeat(3000)}\n`, // 27 kB of two-byte characters, gzipped
      "#cloud-config\n", // shorter than what the buffer held before
    ];
    const encoded = documents.map((text) => encodeUserData("r1", "linode", text));
    encoded.forEach((e, i) => {
      const bytes = Buffer.from(documents[i]!, "utf8");
      assert.equal(e.base64, (e.gzipped ? gzipSync(bytes, { level: 9 }) : bytes).toString("base64"));
    });
    assert.deepEqual(encoded.map((e) => e.gzipped), [true, false, true, false]);
    assert.deepEqual([...encoded].reverse().map((e) => decodeUserData(e.base64)), [...documents].reverse());
  });

  it("refuses user-data still over the limit after gzip, naming the route", () => {
    // Hash output does not compress: 48 KB of it stays over every limit after gzip.
    const random = Buffer.concat(Array.from({ length: 1500 }, (_, i) => createHash("sha256").update(String(i)).digest())).toString("base64");
    for (const provider of ["linode", "alicloud", "oci"] as const) {
      assert.throws(() => encodeUserData(`${provider}-x-stable-1`, provider, random), (err: unknown) => {
        assert.ok(err instanceof UserDataTooLargeError);
        assert.match(err.message, new RegExp(`route ${provider}-x-stable-1: .*over the ${provider} limit`));
        return true;
      });
    }
  });

  it("counts OCI's other metadata against its limit", () => {
    const text = "x".repeat(23_000); // base64 ~30,700 bytes: fits alone, not with 2,000 bytes of keys
    assert.equal(encodeUserData("r", "oci", text).gzipped, false);
    assert.equal(encodeUserData("r", "oci", text, 2_000).gzipped, true);
  });
});

