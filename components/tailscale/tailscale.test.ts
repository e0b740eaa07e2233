/** A route key's arguments and the texts of its join over SSH. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { fleetConfigOfStackFile } from "../../plan/stack-file";
import { routesOf } from "../../stacks/config";
import { tailnetJoinCommand, tailnetKeyArgs } from ".";

const config = fleetConfigOfStackFile(readFileSync(path.join(__dirname, "..", "..", "Pulumi.staging.yaml"), "utf8"));

describe("tailnetKeyArgs", () => {
  it("is single-use, pre-approved, not ephemeral, never recreated once used, with the configured tags and expiry", () => {
    assert.deepEqual(tailnetKeyArgs({ tags: ["tag:a"], expirySeconds: 600 }), {
      reusable: false,
      ephemeral: false,
      preauthorized: true,
      tags: ["tag:a"],
      expiry: 600,
      recreateIfInvalid: "never",
    });
  });
});

describe("tailnetJoinCommand", () => {
  const route = routesOf(config)[0]!;
  const { create, update } = tailnetJoinCommand(route, "https://controlplane.tailscale.com");

  it("joins once first boot is done, reading the key from stdin, with the route's hostname and the login server, leaving the firewall alone", () => {
    const lines = create.split("\n");
    const wait = lines.findIndex((l) => l.includes("/var/lib/cloud/instance/boot-finished"));
    const up = lines.indexOf(`sudo tailscale up --auth-key=file:/dev/stdin --login-server=https://controlplane.tailscale.com --hostname=${route.id} --netfilter-mode=off --accept-dns=false --timeout=300s ||`);
    assert.ok(wait >= 0 && up > wait, "waits for first boot, then joins");
    assert.equal(lines[0], "set -eu");
    // A failed join is said where telemetry gets it (shippedLog), then the command fails.
    assert.match(lines[up + 1]!, /^ {2}fail "step=join outcome=failed: tailscale up exited \$\?"$/);
  });

  it("an update (a new key, the same instance) does not join again, and turns tailscaled's firewall off", () => {
    assert.doesNotMatch(update, /tailscale up|stdin/);
    assert.ok(update.split("\n").includes('sudo tailscale set --netfilter-mode=off --accept-dns=false || fail "step=set outcome=failed: tailscale set exited $?"'));
  });

  it("passes shellcheck", () => {
    for (const text of [create, update]) {
      const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: text, encoding: "utf8" });
      assert.equal(result.error, undefined, "shellcheck must be installed");
      assert.equal(result.status, 0, result.stdout);
    }
  });
});
