/**
 * Release waves as a real `pulumi up` would see them: in the prod plan,
 * every route's first release command and instance depend on exactly the
 * last commands of the wave before (each route's tailnet join, which waits
 * for its release: config push for hot-swap routes, verify for replace
 * routes), and the waves have the configured sizes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planJson } from "./testing";

interface RouteOutput {
  readonly name: string;
  readonly track: string;
  readonly rollout: "replace" | "hotswap";
  readonly wave: number;
}

describe("release waves in the prod plan", () => {
  const plan = planJson(["--stack", "prod"]);
  const routes = plan.outputs.routes as RouteOutput[];
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  const releaseEnd = (r: RouteOutput) => byName.get(`${r.name}-${r.rollout === "hotswap" ? "config" : "verify"}`)!;
  const lastCommand = (r: RouteOutput) => byName.get(`${r.name}-tailnet`)!;
  const firstCommand = (r: RouteOutput) => byName.get(`${r.name}-${r.rollout === "hotswap" ? "hotswap" : "verify"}`)!;
  const explicit = (name: string) => new Set((byName.get(name)?.options.dependsOn as string[] | undefined) ?? []);

  it("puts every canary route in wave 0, then the others 10 at a time in fleet order", () => {
    const waves = Math.max(...routes.map((r) => r.wave)) + 1;
    const sizes = Array.from({ length: waves }, (_, w) => routes.filter((r) => r.wave === w).length);
    const canaries = routes.filter((r) => r.track === "canary");
    assert.ok(canaries.length > 0 && canaries.every((r) => r.wave === 0));
    assert.equal(sizes[0], canaries.length);
    assert.ok(sizes.slice(1, -1).every((s) => s === 10), String(sizes));
    assert.ok(sizes.at(-1)! >= 1 && sizes.at(-1)! <= 10);
    const rest = routes.filter((r) => r.track !== "canary");
    assert.deepEqual(rest.map((r) => r.wave), rest.map((_, i) => 1 + Math.floor(i / 10)));
  });

  it("each route's release command and instance wait for exactly the previous wave's last commands", () => {
    for (const route of routes) {
      const previous = new Set(routes.filter((r) => r.wave === route.wave - 1).map((r) => lastCommand(r).urn));
      for (const name of [firstCommand(route).name, route.name]) {
        const deps = explicit(name);
        for (const urn of previous) assert.ok(deps.has(urn), `${name} (wave ${route.wave}) waits for ${urn.split("::").pop()}`);
        const waitsFor = [...deps].filter((urn) => /-(config|verify|hotswap|tailnet)$/.test(urn));
        assert.equal(waitsFor.length, previous.size, `${name} waits for nothing else of the release`);
      }
    }
  });

  it("a route joins the tailnet only after its own release (and config push), and nothing else", () => {
    for (const route of routes) assert.deepEqual([...explicit(`${route.name}-tailnet`)], [releaseEnd(route).urn], route.name);
  });

  it("a hot-swap route pushes its config only after its own release command", () => {
    for (const route of routes.filter((r) => r.rollout === "hotswap")) {
      assert.deepEqual([...explicit(`${route.name}-config`)], [firstCommand(route).urn]);
    }
  });
});
