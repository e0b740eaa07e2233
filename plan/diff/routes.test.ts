/**
 * Route logic on hand-written plans: how a tag move reaches a route
 * (`<route>-verify` after a new instance, `<route>-hotswap` in place), config
 * pushes (`<route>-config`), and the release waves from `routes[].wave` and
 * the commands' `options.dependsOn`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, renderReport, summaryLine } from "../diff";
import type { PlanResource } from "../run";
import { plan, res } from "./synthetic";

const LINODE = "linode:index/instance:Instance";
const ALICLOUD = "alicloud:ecs/instance:Instance";
const COMMAND = "command:remote:Command";
const TRIGGERS = { replaceOnChanges: ["triggers[*]"] };

interface Spec {
  readonly name: string;
  readonly rollout: "replace" | "hotswap";
  readonly track: string;
  readonly wave: number;
}

/** One route's resources as the program declares them (components/release/index.ts): instance, release command, config push. */
function routeResources(r: Spec, tag: string, config: string, dependsOn?: string[]): PlanResource[] {
  const deps = dependsOn === undefined ? {} : { dependsOn };
  if (r.rollout === "replace") {
    return [
      res(LINODE, r.name, { image: "i1", metadatas: "[secret]" }, { options: { replaceOnChanges: ["metadatas", "image"] } }),
      res(COMMAND, `${r.name}-verify`, { create: `verify ${tag}`, update: `verify ${tag}`, triggers: [tag] }, { options: { ...TRIGGERS, ...deps } }),
    ];
  }
  return [
    res(ALICLOUD, r.name, { imageId: "m1", userData: "[secret]" }, { options: { ignoreChanges: ["userData"], replaceOnChanges: ["imageId"] } }),
    res(COMMAND, `${r.name}-hotswap`, { create: `install ${tag}`, update: `verify ${tag}`, triggers: [tag] }, { options: { ...TRIGGERS, ...deps } }),
    res(COMMAND, `${r.name}-config`, { create: "push", update: "unchanged", stdin: config, triggers: config }, { options: TRIGGERS }),
  ];
}

const ROUTES: readonly Spec[] = [
  { name: "linode-a-canary-1", rollout: "replace", track: "canary", wave: 0 },
  { name: "alicloud-b-stable-1", rollout: "hotswap", track: "stable", wave: 1 },
  { name: "linode-a-stable-1", rollout: "replace", track: "stable", wave: 1 },
  { name: "alicloud-b-stable-2", rollout: "hotswap", track: "stable", wave: 2 },
];

/** A fleet at `tag`; `withDependsOn` records each wave's release commands' dependencies on the previous wave's last commands. */
function fleet(tag: string, opts: { config?: string; withDependsOn?: boolean } = {}) {
  const last = (r: Spec) => `${r.name}-${r.rollout === "replace" ? "verify" : "config"}`;
  const urnOf = (name: string) => `urn:pulumi:staging::lantern-fleet::${COMMAND}::${name}`;
  const resources = ROUTES.flatMap((r) => {
    const previous = ROUTES.filter((p) => p.wave === r.wave - 1).map((p) => urnOf(last(p)));
    return routeResources(r, tag, opts.config ?? "[secret]", opts.withDependsOn ? previous : undefined);
  });
  const routes = ROUTES.map((r) => ({ name: r.name, track: r.track, releaseTag: tag, rollout: r.rollout, wave: r.wave }));
  const userData = Object.fromEntries(ROUTES.map((r) => [r.name, `tag: ${tag}\n`]));
  return plan(resources, { outputs: { routes }, userData });
}

describe("route moves and waves", () => {
  it("a tag move on a replace route replaces its instance and re-runs its verify; a hot-swap route runs its hot-swap", () => {
    const d = diffPlans(fleet("v1"), fleet("v2"));
    const how = Object.fromEntries(d.routes.moves.map((m) => [m.route, [m.how, m.commands, m.wave]]));
    assert.deepEqual(how, {
      "linode-a-canary-1": ["replaced", ["linode-a-canary-1-verify"], 0],
      "alicloud-b-stable-1": ["hot-swapped", ["alicloud-b-stable-1-hotswap"], 1],
      "linode-a-stable-1": ["replaced", ["linode-a-stable-1-verify"], 1],
      "alicloud-b-stable-2": ["hot-swapped", ["alicloud-b-stable-2-hotswap"], 2],
    });
    assert.deepEqual(d.routes.configPushes, [], "a tag bump does not push config");
    const report = renderReport(d);
    assert.match(report, /^- `linode-a-canary-1` \(canary, wave 0\): v1 -> v2, replaced: new instance, `linode-a-canary-1-verify` re-runs$/m);
    // Routes moving the same way share a line, `<route>` for each one's name.
    assert.match(report, /^- `alicloud-b-stable-1`, `alicloud-b-stable-2` \(stable, waves 1-2\): v1 -> v2, hot-swapped: `<route>-hotswap` re-runs$/m);
    assert.match(report, /^Where one line names several routes, `<route>` stands for each one's name\.$/m);
  });

  it("shows which routes move in which wave, canary first, then the batches, in order", () => {
    const d = diffPlans(fleet("v1"), fleet("v2"));
    assert.deepEqual(
      d.routes.waves.map((w) => [w.wave, w.routes, w.tracks]),
      [
        [0, ["linode-a-canary-1"], ["canary"]],
        [1, ["alicloud-b-stable-1", "linode-a-stable-1"], ["stable"]],
        [2, ["alicloud-b-stable-2"], ["stable"]],
      ],
    );
    const report = renderReport(d);
    const waves = report.split("#### Release waves\n")[1]?.split("\n\n")[0] ?? "";
    assert.deepEqual(waves.split("\n").slice(1), [
      "- wave 0: 1 route (canary): `linode-a-canary-1`",
      "- wave 1: 2 routes (stable): `alicloud-b-stable-1`, `linode-a-stable-1`",
      "- wave 2: 1 route (stable): `alicloud-b-stable-2`",
    ]);
    assert.match(report, /this plan does not record the commands' `dependsOn`/);
    assert.ok(report.indexOf("#### Release waves") < report.indexOf("#### Route tags"));
  });

  it("names what each wave waits for when the plan records dependsOn", () => {
    const d = diffPlans(fleet("v1", { withDependsOn: true }), fleet("v2", { withDependsOn: true }));
    assert.deepEqual(
      d.routes.waves.map((w) => [w.wave, w.after]),
      [
        [0, []],
        [1, ["linode-a-canary-1-verify"]],
        [2, ["alicloud-b-stable-1-config", "linode-a-stable-1-verify"]],
      ],
    );
    const report = renderReport(d);
    assert.match(report, /^- wave 2: 1 route \(stable\): `alicloud-b-stable-2`; after `alicloud-b-stable-1-config`, `linode-a-stable-1-verify`$/m);
    assert.doesNotMatch(report, /does not record/);
  });

  it("a config change on a hot-swap route is a config push, its value not shown; no tag moves", () => {
    const d = diffPlans(fleet("v1", { config: "[secret:routeConfig:aaa]" }), fleet("v1", { config: "[secret:routeConfig:bbb]" }));
    assert.deepEqual(d.routes.moves, []);
    assert.deepEqual(
      d.routes.configPushes.map((p) => [p.route, p.command, p.wave]),
      [
        ["alicloud-b-stable-1", "alicloud-b-stable-1-config", 1],
        ["alicloud-b-stable-2", "alicloud-b-stable-2-config", 2],
      ],
    );
    const report = renderReport(d);
    assert.match(report, /^- `alicloud-b-stable-1`, `alicloud-b-stable-2` \(waves 1-2\): config pushed by `<route>-config` \(stdin is a secret, not shown\)$/m);
    // New files are a new trigger (their digest), which replaces the push: only its `create` pushes.
    assert.match(report, /`triggers` \[secret:routeConfig:aaa\] \(changed\): replace \(replaceOnChanges\); secret input, value not shown/);
    assert.match(summaryLine(d), /0 routes hot-swapped, 0 replaced, 0 added, 0 removed$/);
  });

  it("a push whose command is replaced only if a recorded value differs is listed on that condition", () => {
    // As the program binds it (components/release instanceBoundOptions): the push names its instance in replaceWith.
    const bound = (ignoreChanges: string[]) => {
      const p = fleet("v1");
      const resources = p.resources.map((r): PlanResource => {
        if (r.type === ALICLOUD) return { ...r, options: { ...r.options, ignoreChanges } };
        const instance = p.resources.find((i) => `${i.name}-config` === r.name);
        return instance ? { ...r, options: { ...r.options, replaceWith: [instance.urn] } } : r;
      });
      return { ...p, resources };
    };
    // The old plan ignored the image: whether the instance (and so its push) is replaced depends on the recorded one.
    const d = diffPlans(bound(["userData", "imageId"]), bound(["userData"]));
    assert.deepEqual(d.routes.configPushes.map((p) => [p.route, p.ifReplaced]), [["alicloud-b-stable-1", true], ["alicloud-b-stable-2", true]]);
    assert.match(
      renderReport(d),
      /^- `alicloud-b-stable-1`, `alicloud-b-stable-2` \(waves 1-2\): config pushed by `<route>-config` if it is replaced \(only if a recorded value differs: see the preview\) \(stdin is a secret, not shown\)$/m,
    );
    const sure = diffPlans(fleet("v1", { config: "[secret:routeConfig:aaa]" }), fleet("v1", { config: "[secret:routeConfig:bbb]" }));
    assert.deepEqual(sure.routes.configPushes.map((p) => [p.route, p.ifReplaced]), [["alicloud-b-stable-1", undefined], ["alicloud-b-stable-2", undefined]]);
  });

  it("a tag move with neither a new instance nor a command run is NOT applied", () => {
    const old = fleet("v1");
    const neu = fleet("v2");
    // The same resources as before: only outputs and user-data moved (ignored on hot-swap routes).
    const d = diffPlans(old, { ...neu, resources: old.resources });
    const how = Object.fromEntries(d.routes.moves.map((m) => [m.route, m.how]));
    assert.equal(how["alicloud-b-stable-1"], "NOT applied");
    assert.equal(how["linode-a-canary-1"], "replaced", "the user-data change replaces a replace route's instance");
    assert.match(renderReport(d), /v1 -> v2, NOT applied: no release command runs/);
  });
});
