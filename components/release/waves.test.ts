/** Release waves: which routes go together, and that each wave waits for the one before. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { parseFleetConfig, releaseWaves, routesOf } from "../../stacks/config";
import { WaveGate } from "./waves";

const fleet = (waves: Record<string, unknown>, tracks: Record<string, unknown> = { stable: {}, canary: {} }) =>
  parseFleetConfig({
    releaseTag: "v0.0.74",
    tracks,
    sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDTHlpOZpSeiM5yPfwRYVzzRJARhRua3es3vmSmBWPPN ops"],
    image: { caCertUrl: "https://ops.example.net/ca.crt" },
    waves,
    providers: {
      linode: { rollout: "hotswap", regions: { "us-lax": { stable: 3, canary: 1 }, "fr-par": { stable: 2 } } },
      alicloud: { rollout: "replace", regions: { "ap-southeast-1": { stable: 2, canary: 1 } } },
    },
  });
const byWave = (cfg: ReturnType<typeof fleet>) => {
  const waves = releaseWaves(routesOf(cfg), cfg);
  const out: string[][] = [];
  for (const route of routesOf(cfg)) (out[waves.get(route.id)!] ??= []).push(route.id);
  return out;
};

describe("releaseWaves", () => {
  it("puts the canary track first, then the rest in fleet order, `size` at a time", () => {
    assert.deepEqual(byWave(fleet({ size: 3 })), [
      ["linode-us-lax-canary-1", "alicloud-ap-southeast-1-canary-1"],
      ["linode-us-lax-stable-1", "linode-us-lax-stable-2", "linode-us-lax-stable-3"],
      ["linode-fr-par-stable-1", "linode-fr-par-stable-2", "alicloud-ap-southeast-1-stable-1"],
      ["alicloud-ap-southeast-1-stable-2"],
    ]);
  });

  it("takes the first-wave tracks from waves.first, and none when there is no canary track", () => {
    assert.deepEqual(byWave(fleet({ size: 10, first: ["stable"] }))[1], ["linode-us-lax-canary-1", "alicloud-ap-southeast-1-canary-1"]);
    const withCanary = fleet({ size: 4 }, { stable: {}, canary: {} });
    assert.equal(byWave(withCanary)[0]!.length, 2, "the canary track is the first wave by default");
    const stableOnly = parseFleetConfig({ ...structuredClone(withCanary), providers: { linode: { rollout: "hotswap", regions: { "us-lax": { stable: 5 } } } }, tracks: { stable: {} } });
    assert.deepEqual(byWave(stableOnly).map((w) => w.length), [4, 1]);
  });

  it("defaults to waves of 10, and refuses an undefined first-wave track by key", () => {
    assert.equal(fleet({}).waves.size, 10);
    assert.throws(() => fleet({ first: ["beta"] }), /waves\.first\.0: track "beta" is not defined/);
    assert.throws(() => fleet({ size: 0 }), /waves\.size/);
  });
});

describe("WaveGate", () => {
  const cfg = fleet({ size: 3 });
  const routes = routesOf(cfg);
  const command = (id: string) => ({ id }) as unknown as pulumi.Resource;

  it("settles a wave once every route of it declared its command, with exactly those commands", async () => {
    const gate = new WaveGate(releaseWaves(routes, cfg));
    const second = routes.find((r) => r.id === "linode-us-lax-stable-1")!;
    let settled: pulumi.Resource[] | undefined;
    void Promise.all(gate.previous(second)).then((c) => (settled = c));
    for (const r of routes.filter((r) => r.track === "canary")) {
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, undefined, "not before the whole first wave is declared");
      gate.declare(r, command(r.id));
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(settled?.map((c) => (c as unknown as { id: string }).id), ["linode-us-lax-canary-1", "alicloud-ap-southeast-1-canary-1"]);
    assert.deepEqual(gate.previous(routes.find((r) => r.track === "canary")!), [], "the first wave waits for nothing");
  });

  it("refuses a route declared twice, and says which routes never declared", () => {
    const gate = new WaveGate(releaseWaves(routes, cfg));
    gate.declare(routes[0]!, command("a"));
    assert.throws(() => gate.declare(routes[0]!, command("a")), /declared its last command twice/);
    assert.throws(
      () => gate.assertComplete(),
      (err: Error) => routes.slice(1).every((r) => err.message.includes(r.id)) && !err.message.includes(`${routes[0]!.id},`),
    );
  });
});
