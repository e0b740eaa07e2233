/**
 * What a tag bump does, per provider and strategy, in real plans of the
 * program: which resources change, with which options.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { diffPlans } from "../../plan/diff";
import { instanceOf as routeInstance } from "../../plan/diff/routes";
import { mockId } from "../../plan/mocks";
import type { Plan, PlanResource } from "../../plan/run";
import { addedOrRemoved, changedResources, planJson, type StackConfig, variantStackFile } from "../../plan/testing";
import { parseFleetConfig, routesOf } from "../../stacks/config";
import { INSTALL_SCRIPT } from "../cloud-init/userdata";
import { IMAGE_PROPERTY, type ProviderName, USER_DATA_PROPERTY } from "../../stacks/catalog";
import { ROUTE_FILES } from "../cloud-init/userdata";
import { configPayload, configPushCommand, hotSwapCommand, instanceOptions, releaseSkew, verifiedTagOf, verifyCommand } from "./index";

const withTag = (tag: string) => (c: StackConfig) => (c["lantern-fleet:releaseTag"] = tag);
const withCanary = (tag: string) => (c: StackConfig) => ((c["lantern-fleet:tracks"] as any).canary = { releaseTag: tag });
const plan = (stack: string, edit?: (c: StackConfig) => void): Plan =>
  planJson(["--stack", stack, ...(edit ? ["--config-file", variantStackFile(stack, edit)] : [])]);

const summary = (before: Plan, after: Plan) =>
  changedResources(before, after)
    .map((c) => `${c.type.split(":").pop()} ${c.name}: ${c.keys.join(",")}`)
    .sort();

describe("instanceOptions", () => {
  it("replace: replaces on a user-data or image change, creating the new instance first", () => {
    for (const provider of ["linode", "alicloud", "oci"] as const) {
      assert.deepEqual(instanceOptions(provider, "replace"), {
        replaceOnChanges: [USER_DATA_PROPERTY[provider], IMAGE_PROPERTY[provider]],
        deleteBeforeReplace: false,
        additionalSecretOutputs: [USER_DATA_PROPERTY[provider]],
      });
    }
  });
  it("hotswap: ignores user-data changes on existing instances; a new image replaces them", () => {
    for (const provider of ["linode", "alicloud", "oci"] as const) {
      assert.deepEqual(instanceOptions(provider, "hotswap"), {
        ignoreChanges: [USER_DATA_PROPERTY[provider]],
        replaceOnChanges: [IMAGE_PROPERTY[provider]],
        deleteBeforeReplace: false,
        additionalSecretOutputs: [USER_DATA_PROPERTY[provider]],
      });
    }
  });
});

describe("release commands", () => {
  const cfg = parseFleetConfig({
    releaseTag: "v0.0.74",
    releaseChecksums: { "v0.0.74": { amd64: "c".repeat(64) } },
    tracks: { stable: {} },
    sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDTHlpOZpSeiM5yPfwRYVzzRJARhRua3es3vmSmBWPPN ops"],
    image: { caCertUrl: "https://ops.example.net/ca.crt" },
    providers: { linode: { rollout: "hotswap", regions: { "us-lax": { stable: 1 } } } },
  });
  const route = routesOf(cfg)[0]!;
  const swap = hotSwapCommand(route, cfg);
  const check = verifyCommand(route, cfg);
  const scriptSha = createHash("sha256").update(INSTALL_SCRIPT).digest("hex");

  it("hot-swap installs the target with the first-boot install script, detached in a systemd unit, with the pinned hash and soak", () => {
    assert.equal(swap.stdin, INSTALL_SCRIPT);
    assert.match(swap.create, /until \[ -f \/var\/lib\/cloud\/instance\/boot-finished \]/);
    const run = swap.create.split("\n").find((l) => l.startsWith("sudo systemd-run")) ?? assert.fail("no systemd-run");
    assert.match(run, /--wait --collect/);
    assert.match(run, / --property=SyslogIdentifier=install-lantern-box /, "the collector ships the run by this identifier");
    assert.ok(run.includes(`--setenv=LANTERN_RELEASE_BASE_URL=${cfg.releaseBaseUrl} --setenv=LANTERN_DEB_SHA256=${"c".repeat(64)} --setenv=LANTERN_SOAK_SECONDS=30`));
    assert.match(run, / \/usr\/local\/lib\/lantern\/install-lantern-box\.sh install v0\.0\.74 \|\| rc=\$\?$/);
    assert.doesNotMatch(swap.create, /bash -s/, "the script is never piped into a shell");
  });

  it("runs the script only if it arrived whole: its sha256 is checked on the box before it is installed", () => {
    for (const text of [swap.create, swap.update, check.create]) {
      const body = text.split("\n");
      const verifyAt = body.findIndex((l) => l.includes(`echo "${scriptSha}  $script" | sha256sum --check --status`));
      const installAt = body.findIndex((l) => l.startsWith("sudo install -D"));
      assert.ok(verifyAt > 0 && verifyAt < installAt, text);
    }
  });

  it("installs only on a new target tag (the trigger) or a new instance; any other change only verifies", () => {
    assert.deepEqual(swap.triggers, ["v0.0.74"]);
    assert.match(swap.update, /install-lantern-box\.sh verify v0\.0\.74/);
    assert.doesNotMatch(swap.update, / install v0\.0\.74/);
  });

  it("replace routes get a verification that never installs", () => {
    for (const text of [check.create, check.update]) {
      assert.match(text, /install-lantern-box\.sh verify v0\.0\.74/);
      assert.doesNotMatch(text, / install v0\.0\.74/);
    }
    assert.deepEqual(check.triggers, ["v0.0.74"]);
  });

  it("passes shellcheck, commands and script", () => {
    for (const text of [swap.create, swap.update, check.create, INSTALL_SCRIPT]) {
      const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: text, encoding: "utf8" });
      assert.equal(result.error, undefined, "shellcheck must be installed");
      assert.equal(result.status, 0, result.stdout);
    }
  });

  it("config push: receives exactly the script's bytes, then only known files, and refuses a cut-off payload", () => {
    const { create, update } = configPushCommand(route);
    // Only new files (the trigger) or a new instance push; an edited script or connection runs `update`.
    assert.doesNotMatch(update, /configure|stdin|dd |systemd-run/, "an update pushes nothing and restarts nothing");
    const lines = create.split("\n");
    assert.ok(lines.includes(`dd bs=1 count=${Buffer.byteLength(INSTALL_SCRIPT)} status=none of="$script"`));
    assert.ok(lines.some((l) => l.startsWith(`    ${ROUTE_FILES.join(" | ")}) base64 -d <<<"$data" | sudo install -m 0600 /dev/stdin "$stage/$name"`)));
    assert.ok(lines.includes(`if [ "$ended" != "$received" ] || [ "$received" != ${ROUTE_FILES.length} ]; then`));
    assert.match(create, /install-lantern-box\.sh configure "\$stage" \|\| rc=\$\?/);
    assert.doesNotMatch(create, /v0\.0\.74|0\.0\.74/, "nothing names the release: a tag bump does not re-run the push");
    const payload = configPayload({ "config.json": '{"a":1}', "otel.env": "A=1\n", "otelcol.env": "B=2\n", authorized_keys: "ssh-ed25519 AAAA k\n" });
    const entries = payload.trimEnd().split("\n").map((l) => l.split(" "));
    assert.deepEqual(entries.map((e) => e[0]), [...ROUTE_FILES, "end"]);
    assert.equal(Buffer.from(entries[0]![1]!, "base64").toString(), '{"a":1}');
    assert.deepEqual(entries.at(-1), ["end", String(ROUTE_FILES.length)]);
    for (const text of [create, update]) {
      const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: text, encoding: "utf8" });
      assert.equal(result.status, 0, result.stdout);
    }
  });

  it("the bytes the push reads as its script are exactly the script, so its payload is what follows", () => {
    // The receiver's split, run for real: dd takes the script's bytes from a pipe, `while read` gets the rest.
    const payload = configPayload({ "config.json": "{}", "otel.env": "", "otelcol.env": "", authorized_keys: "k\n" });
    const split = spawnSync(
      "bash",
      ["-c", `dd bs=1 count=${Buffer.byteLength(INSTALL_SCRIPT)} status=none | sha256sum | cut -d' ' -f1; cat`],
      { input: INSTALL_SCRIPT + payload, encoding: "utf8" },
    );
    assert.equal(split.stdout, `${scriptSha}\n${payload}`);
  });

  it("reads the verified tag from the script's last line only", () => {
    assert.equal(verifiedTagOf("[lantern-install] step=done\nverified=v0.0.74\n"), "v0.0.74");
    assert.equal(verifiedTagOf("verified=v0.0.74; rm -rf /"), undefined);
    assert.equal(verifiedTagOf(""), undefined);
    assert.equal(verifiedTagOf("verified=v00.0.74\n"), undefined, "the config's own tag pattern: no leading zeros");
  });
});

describe("releaseSkew", () => {
  it("counts per track the routes, their target and how many were verified at it", () => {
    assert.deepEqual(
      releaseSkew([
        { track: "stable", target: "v0.0.74", verified: "v0.0.74" },
        { track: "stable", target: "v0.0.74", verified: "unverified" },
        { track: "canary", target: "v0.0.75", verified: "v0.0.75" },
      ]),
      {
        stable: { routes: 2, target: "v0.0.74", verified: 1, behind: { unverified: 1 } },
        canary: { routes: 1, target: "v0.0.75", verified: 1, behind: {} },
      },
    );
  });
});

/** The committed staging plan, planned once for every describe below. */
const staging = plan("staging");

describe("tag bumps in plans", () => {
  const prod = plan("prod");

  it("staging (Linode replace, alicloud and OCI hotswap): replaces Linode routes, hot-swaps the others, touches nothing else", () => {
    const bumped = plan("staging", withTag("v0.0.74"));
    assert.deepEqual(addedOrRemoved(staging, bumped), []);
    assert.deepEqual(summary(staging, bumped), [
      "Command alicloud-ap-southeast-1-stable-1-hotswap: create,triggers,update",
      "Command linode-us-lax-canary-1-verify: create,triggers,update",
      "Command linode-us-lax-stable-1-verify: create,triggers,update",
      "Command oci-us-ashburn-1-stable-1-hotswap: create,triggers,update",
      "Instance alicloud-ap-southeast-1-stable-1: userData",
      "Instance linode-us-lax-canary-1: metadatas",
      "Instance linode-us-lax-stable-1: metadatas",
      "Instance oci-us-ashburn-1-stable-1: metadata",
    ]);
    for (const change of changedResources(staging, bumped).filter((c) => c.type.endsWith("Instance"))) {
      const provider = change.type.split(":")[0] as keyof typeof USER_DATA_PROPERTY;
      // Both tracks are on hold: every instance also ignores its image.
      const expected =
        provider === "linode"
          ? { replaceOnChanges: ["metadatas", "image"], ignoreChanges: ["image"] }
          : { ignoreChanges: [USER_DATA_PROPERTY[provider], IMAGE_PROPERTY[provider]] };
      for (const [option, value] of Object.entries(expected)) assert.deepEqual(change.options[option], value, change.name);
    }
  });

  it("prod (hotswap everywhere): only hot-swap commands run; instances ignore the user-data change; no image is touched", () => {
    const bumped = plan("prod", withTag("v0.0.74"));
    const changes = changedResources(prod, bumped);
    const commands = changes.filter((c) => c.type === "command:remote:Command");
    const instances = changes.filter((c) => c.type.endsWith("Instance"));
    assert.equal(commands.length, (prod.outputs.routes as unknown[]).length);
    assert.ok(commands.every((c) => c.keys.join() === "create,triggers,update" && c.name.endsWith("-hotswap")));
    assert.equal(instances.length, commands.length);
    for (const i of instances) {
      const provider = i.type.split(":")[0] as keyof typeof USER_DATA_PROPERTY;
      assert.deepEqual(i.keys, [USER_DATA_PROPERTY[provider]], i.name);
      assert.deepEqual(i.options.ignoreChanges, [USER_DATA_PROPERTY[provider], IMAGE_PROPERTY[provider]], `${i.name}: ignores its user-data (hot-swap) and image (hold)`);
    }
    assert.equal(changes.length, commands.length + instances.length, "nothing else changes");
  });

  it("a canary override touches only canary routes", () => {
    const bumped = plan("prod", withCanary("v0.0.75"));
    const canaries = (prod.outputs.routes as { name: string; track: string }[]).filter((r) => r.track === "canary").map((r) => r.name);
    const touched = new Set(changedResources(prod, bumped).map((c) => c.name.replace(/-hotswap$/, "")));
    assert.deepEqual([...touched].sort(), [...canaries].sort());
  });

  it("rolling back is the same shape of change as the bump", () => {
    const bumped = plan("prod", withTag("v0.0.74"));
    const shape = (a: Plan, b: Plan) => changedResources(a, b).map((c) => [c.name, c.keys, c.options]);
    assert.deepEqual(shape(bumped, prod), shape(prod, bumped));
  });
});

describe("what belongs to an instance", () => {
  const routes = staging.outputs.routes as { name: string; provider: ProviderName; rollout: "replace" | "hotswap" }[];
  const byName = new Map(staging.resources.map((r) => [r.name, r]));
  const instanceOf = (route: (typeof routes)[number]) => routeInstance(route.name, staging) ?? assert.fail(route.name);
  /** Its release command, config push (hot-swap), Tailscale key and join. */
  const boundTo = (route: (typeof routes)[number]): PlanResource[] =>
    [route.rollout === "hotswap" ? ["hotswap", "config"] : ["verify"], ["tailscale-key", "tailnet"]].flat().map((s) => byName.get(`${route.name}-${s}`) ?? assert.fail(`${route.name}-${s}`));

  it("is replaced with it, and records its id as the replacement trigger", () => {
    assert.ok(routes.some((r) => r.rollout === "hotswap") && routes.some((r) => r.rollout === "replace"));
    const bound = routes.flatMap(boundTo);
    for (const route of routes) {
      const instance = instanceOf(route);
      for (const r of boundTo(route)) {
        assert.deepEqual(r.options.replaceWith, [instance.urn], r.name);
        assert.equal(r.options.replacementTrigger, mockId(instance.type, instance.name, instance.inputs), r.name);
      }
    }
    const others = staging.resources.filter((r) => (r.options.replaceWith !== undefined || r.options.replacementTrigger !== undefined) && !bound.includes(r));
    for (const route of routes) {
      const instance = instanceOf(route);
      for (const r of others) {
        assert.ok(!(r.options.replaceWith as string[] | undefined)?.includes(instance.urn), `${r.name} is replaced with ${route.name}`);
        assert.notEqual(r.options.replacementTrigger, mockId(instance.type, instance.name, instance.inputs), `${r.name} is triggered by ${route.name}`);
      }
    }
  });

  it("a run that replaced the instance and failed before them is finished by the next: they are created again (install, a new key, a join), not updated", () => {
    // A failed create keeps the old state, recorded with the old instance's id (pulumi/pulumi pkg/backend/snapshot.go, createSnapshotMutation.End);
    // the instance itself was replaced and is recorded with its new id.
    const failed: Plan = {
      ...staging,
      resources: staging.resources.map((r) =>
        routes.some((route) => boundTo(route).includes(r)) ? { ...r, options: { ...r.options, replacementTrigger: "the-replaced-instance-id" } } : r,
      ),
    };
    const d = diffPlans(failed, staging);
    const actions = new Map(d.resources.map((r) => [r.name, r.action]));
    for (const route of routes) {
      assert.equal(actions.get(route.name), undefined, `${route.name}: the instance stays`);
      for (const r of boundTo(route)) assert.equal(actions.get(r.name), "replace", r.name);
    }
    assert.equal(d.resources.length, routes.flatMap(boundTo).length, "nothing else changes");
  });
});
