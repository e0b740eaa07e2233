/**
 * Base images in the plan: they reach exactly the route regions; they are
 * named by everything that changes them (and nothing else); the build runs
 * on the default `command` provider, over pinned host keys, from pinned
 * stock images, with the recipe where the commands look for it, and waits
 * for the provider's own power state instead of sleeping.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { diffPlans } from "../../plan/diff";
import { mockId } from "../../plan/mocks";
import { changedResources, planJson, stackConfig, variantStackFile } from "../../plan/testing";
import { type Plan, type PlanResource, REPO_ROOT } from "../../plan/run";
import { FRESH_VM_DIAL } from "../ssh";
import { IMAGE_PROPERTY, type ProviderName } from "../../stacks/catalog";
import { builderStoppedWait, waitForState } from "./poweroff";
import { baseImageName, copiedDirectory, type ImageIdentity, RECIPE_DIR, recipeHash } from "./recipe";

const prod = planJson(["--stack", "prod"]);
const routes = prod.outputs.routes as { provider: string; region: string }[];
const regionsOf = (provider: string) => [...new Set(routes.filter((r) => r.provider === provider).map((r) => r.region))].sort();
const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const builders = (plan: Plan) => plan.resources.filter((r) => r.name.endsWith("-base-builder") || r.name === "linode-base-builder");

/** Everything that makes images: resources inside the *BaseImage components, plus the builder login key. */
const imageResources = (plan: Plan): PlanResource[] =>
  plan.resources.filter((r) => /BaseImage/.test(r.urn) || r.name === "builder-ssh-key");
/** The image-build steps: every `command` resource inside an image component. */
const buildSteps = (plan: Plan) => plan.resources.filter((r) => /BaseImage/.test(r.urn) && r.type.startsWith("command:"));
const componentOf = (r: PlanResource) => r.parent;

const pins = stackConfig("prod")["lantern-fleet:image"] as { caCertUrl: string; stockImages: { linode: string; alicloud: Record<string, string>; oci: Record<string, string> } };

describe("base images (prod plan)", () => {
  it("Linode: one image, replicated to exactly the route regions plus the build region, with cloud-init", () => {
    const [image, ...more] = ofType(prod, "linode:index/image:Image");
    assert.equal(more.length, 0);
    assert.deepEqual(image!.inputs.replicaRegions, regionsOf("linode"));
    assert.equal(image!.inputs.cloudInit, true);
    assert.equal(image!.inputs.waitForReplications, true);
  });

  it("alicloud: one image in the build region and one copy per other route region, each through its region's provider", () => {
    assert.equal(ofType(prod, "alicloud:ecs/image:Image").length, 1);
    const copies = ofType(prod, "alicloud:ecs/imageCopy:ImageCopy");
    const copyRegions = copies.map((c) => String(c.options.provider).split("::").pop()!.replace("alicloud-", "")).sort();
    assert.deepEqual(copyRegions, regionsOf("alicloud").filter((r) => r !== "ap-southeast-1"));
    for (const c of copies) assert.equal(c.inputs.sourceRegionId, "ap-southeast-1");
  });

  it("alicloud: the capture and the copies wait longer than the provider's 10-minute default", () => {
    // aliyun/terraform-provider-alicloud alicloud/resource_alicloud_image.go and
    // resource_alicloud_image_copy.go: Timeouts.Create is schema.DefaultTimeout(10 * time.Minute).
    const images = [...ofType(prod, "alicloud:ecs/image:Image"), ...ofType(prod, "alicloud:ecs/imageCopy:ImageCopy")];
    assert.ok(images.length > 1);
    for (const image of images) {
      assert.deepEqual(image.options.customTimeouts, { create: image.type.endsWith("ImageCopy") ? "3h" : "1h" }, image.name);
    }
  });

  it("OCI: one image per route region, built there", () => {
    const images = ofType(prod, "oci:Core/image:Image");
    assert.equal(images.length, regionsOf("oci").length);
    assert.equal(regionsOf("oci").length, 36);
  });

  it("every route is declared with its own provider's image for its region (prod's held tracks start new routes on the newest build)", () => {
    const idOf = (r: PlanResource) => mockId(r.type, r.name, r.inputs);
    const linodeImage = ofType(prod, "linode:index/image:Image")[0]!;
    const linodeRoutes = ofType(prod, "linode:index/instance:Instance").filter((i) => !i.name.endsWith("-builder"));
    assert.equal(linodeRoutes.length, regionsOf("linode").length + 2); // two canaries in prod
    for (const r of linodeRoutes) assert.equal(r.inputs.image, idOf(linodeImage));
    const ociImages = new Map(ofType(prod, "oci:Core/image:Image").map((i) => [i.name, idOf(i)]));
    for (const r of ofType(prod, "oci:Core/instance:Instance").filter((i) => !i.name.endsWith("-builder"))) {
      const region = r.name.replace(/^oci-/, "").replace(/-[a-z0-9]+-\d+$/, "");
      assert.equal((r.inputs.sourceDetails as { sourceId: string }).sourceId, ociImages.get(`oci-${region}-base-image`), r.name);
    }
    const aliImages = [...ofType(prod, "alicloud:ecs/image:Image"), ...ofType(prod, "alicloud:ecs/imageCopy:ImageCopy")];
    const aliIds = new Map(aliImages.map((i) => [idOf(i), i.name]));
    for (const r of ofType(prod, "alicloud:ecs/instance:Instance").filter((i) => !i.name.endsWith("-builder"))) {
      const region = r.name.replace(/^alicloud-/, "").replace(/-[a-z0-9]+-\d+$/, "");
      const image = aliIds.get(String(r.inputs.imageId));
      assert.equal(image, region === "ap-southeast-1" ? "alicloud-base-image" : `alicloud-base-copy-${region}`, r.name);
    }
  });

  it("names images by recipe, parameters, pinned stock image, build region, rebuild label and stack", () => {
    const identity = (stockImage: string, buildRegion?: string): ImageIdentity => ({
      stack: "prod",
      recipe: recipeHash(),
      parameters: { caCertUrl: pins.caCertUrl, otlpEndpoint: "https://ops.lantr.net:443" },
      stockImage,
      ...(buildRegion === undefined ? {} : { buildRegion }),
    });
    assert.equal(ofType(prod, "linode:index/image:Image")[0]!.inputs.label, baseImageName(identity(pins.stockImages.linode, "us-lax")));
    // alicloud: one build's images carry its builder's id (ECS refuses a name taken in the region).
    const aliImage = ofType(prod, "alicloud:ecs/image:Image")[0]!;
    const aliName = `${baseImageName(identity(pins.stockImages.alicloud["ap-southeast-1"]!, "ap-southeast-1"))}-${String(aliImage.inputs.instanceId)}`;
    assert.equal(aliImage.inputs.imageName, aliName);
    for (const copy of ofType(prod, "alicloud:ecs/imageCopy:ImageCopy")) assert.equal(copy.inputs.imageName, aliName, copy.name);
    for (const i of ofType(prod, "oci:Core/image:Image")) {
      const region = i.name.replace(/^oci-/, "").replace(/-base-image$/, "");
      assert.equal(i.inputs.displayName, baseImageName(identity(pins.stockImages.oci[region]!)), region);
    }
  });

  it("a plan that differs only in release tags has identical image resources", () => {
    const bumped = planJson([
      "--stack", "prod", "--config-file",
      variantStackFile("prod", (c) => {
        c["lantern-fleet:releaseTag"] = "v0.0.74";
        (c["lantern-fleet:tracks"] as Record<string, unknown>).canary = { releaseTag: "v0.0.75" };
      }),
    ]);
    assert.ok(imageResources(prod).length > 100);
    assert.deepEqual(imageResources(bumped), imageResources(prod));
    assert.ok(!JSON.stringify(imageResources(prod)).match(/v0\.0\.7\d/), "no release tag in any image input");
  });
});

describe("image builds (prod plan): what `pulumi up` needs to build on the real clouds", () => {
  it("every build step takes the default `command` provider (a cloud provider would refuse the type)", () => {
    const steps = buildSteps(prod);
    assert.equal(steps.length, 3 * (1 + 1 + 36), "copy, provision, clean+power-off per build");
    for (const step of steps) assert.equal(step.options.provider, undefined, step.name);
  });

  it("a build step runs once per builder and image name: a later change to anything else waits for the next build", () => {
    const steps = new Set(buildSteps(prod));
    for (const step of steps) {
      const inputs = Object.keys(step.inputs).filter((input) => input !== "triggers");
      assert.ok(inputs.includes("connection") && step.inputs.triggers !== undefined, step.name);
      assert.deepEqual([...(step.options.ignoreChanges as string[])].sort(), inputs.sort(), step.name);
    }
    // What a maintainer's edit looks like to the engine: new texts and dial settings on every step of a finished build.
    const edited: Plan = {
      ...prod,
      resources: prod.resources.map((r) =>
        steps.has(r)
          ? { ...r, inputs: { ...r.inputs, ...(r.inputs.create ? { create: `${r.inputs.create as string} # edited` } : { remotePath: "/tmp/elsewhere" }), connection: { ...(r.inputs.connection as object), perDialTimeout: 30 } } }
          : r,
      ),
    };
    const d = diffPlans(prod, edited);
    assert.deepEqual(new Set(d.resources.map((c) => c.action)), new Set(["ignored"]));
    assert.equal(d.resources.length, steps.size);
  });

  it("copies the recipe where the commands run it, by CopyToRemote's own rule", () => {
    // pulumi/pulumi-command provider/pkg/provider/remote/copyController.go, sftpCopy: a source
    // directory without a trailing slash lands as <remotePath>/<basename>; with one, its contents
    // land in <remotePath>. Written out here again, independently of the program's copiedDirectory.
    const landsAt = (source: string, remotePath: string) =>
      source.endsWith("/") ? remotePath : `${remotePath.replace(/\/$/, "")}/${path.basename(source)}`;
    const copies = buildSteps(prod).filter((s) => s.type === "command:remote:CopyToRemote");
    assert.equal(copies.length, 38);
    for (const copy of copies) {
      const source = (copy.inputs.source as { fileArchive: string }).fileArchive;
      assert.ok(existsSync(path.join(REPO_ROOT, source, "provision.sh")), `${copy.name}: ${source} is the recipe`);
      const dir = landsAt(source, String(copy.inputs.remotePath));
      const commands = buildSteps(prod).filter((s) => componentOf(s) === componentOf(copy) && s.type === "command:remote:Command");
      assert.equal(commands.length, 2);
      for (const command of commands) {
        const scripts = [...String(command.inputs.create).matchAll(/bash (\S+\.sh)/g)].map((m) => m[1]!);
        assert.ok(scripts.length > 0, command.name);
        for (const script of scripts) {
          assert.equal(path.posix.dirname(script), dir, `${command.name} runs ${script}, the copy lands in ${dir}`);
          assert.ok(existsSync(path.join(REPO_ROOT, source, path.posix.basename(script))), `${script} is in the recipe`);
        }
      }
    }
  });

  it("copiedDirectory follows the provider's rule with and without a trailing slash", () => {
    assert.equal(copiedDirectory("/repo/image", "/tmp/x"), "/tmp/x/image");
    assert.equal(copiedDirectory("/repo/image/", "/tmp/x"), "/tmp/x");
  });

  it("waits on the provider's power state: no local command, no sleep in any build step", () => {
    assert.equal(imageResources(prod).filter((r) => r.type.startsWith("command:local:")).length, 0);
    for (const step of buildSteps(prod)) assert.doesNotMatch(JSON.stringify(step.inputs.create ?? ""), /\bsleep\b/, step.name);
    for (const image of [...ofType(prod, "linode:index/image:Image"), ...ofType(prod, "alicloud:ecs/image:Image"), ...ofType(prod, "oci:Core/image:Image")]) {
      const builderId = image.inputs.linodeId ?? image.inputs.instanceId;
      const builder = builders(prod).find((b) => componentOf(b) === componentOf(image))!;
      assert.equal(String(builderId), mockId(builder.type, builder.name), `${image.name} captures its own builder`);
      // Created only after its builder's power-off step, and only once its hook saw the builder stopped.
      const powerOff = buildSteps(prod).find((s) => componentOf(s) === componentOf(image) && s.name.endsWith("-clean-poweroff"))!;
      assert.deepEqual(image.options.dependsOn, [powerOff.urn], image.name);
      assert.deepEqual(image.options.hooksBeforeCreate, [`${builder.name}-stopped`], image.name);
    }
  });

  it("the image's hook waits on the builder whose id the image takes, read as the provider reports it", async () => {
    const reads: string[] = [];
    const power = { stopped: "offline", read: (id: string) => Promise.resolve(void reads.push(id)).then(() => (reads.length < 2 ? "running" : "offline")) };
    const wait = builderStoppedWait("linode-base-builder", "linodeId", power, { intervalMs: 1, timeoutMs: 1000 });
    // The image's inputs as the SDK hands them to a hook: keyed by its property names (poweroff.ts, builderStoppedWait).
    await wait({ urn: "urn", id: "", name: "linode-base-image", type: "linode:index/image:Image", newInputs: { linodeId: 4242 } });
    assert.deepEqual(reads, ["4242", "4242"]);
  });

  it("boots builders from the stock images pinned in stack config", () => {
    const linodeBuilder = builders(prod).find((b) => b.type === "linode:index/instance:Instance")!;
    assert.equal(linodeBuilder.inputs.image, pins.stockImages.linode);
    const aliBuilder = builders(prod).find((b) => b.type === "alicloud:ecs/instance:Instance")!;
    assert.equal(aliBuilder.inputs.imageId, pins.stockImages.alicloud["ap-southeast-1"]);
    const ociBuilders = builders(prod).filter((b) => b.type === "oci:Core/instance:Instance");
    assert.equal(ociBuilders.length, 36);
    for (const b of ociBuilders) {
      const region = b.name.replace(/^oci-/, "").replace(/-base-builder$/, "");
      assert.equal((b.inputs.sourceDetails as { sourceId: string }).sourceId, pins.stockImages.oci[region], region);
    }
  });

  it("pins every builder's host key, injected by its user-data, with the fresh-VM dial budget", () => {
    const keyOfBuilder = new Map<string, unknown>();
    for (const step of buildSteps(prod)) {
      const connection = step.inputs.connection as Record<string, unknown>;
      const builder = builders(prod).find((b) => componentOf(b) === componentOf(step))!;
      const injected = (parse(prod.userData[builder.name]!) as { ssh_keys: { ed25519_public: string } }).ssh_keys.ed25519_public;
      assert.equal(connection.hostKey, injected, step.name);
      assert.match(String(connection.hostKey), /^ssh-ed25519 \S+\n$/);
      keyOfBuilder.set(builder.name, connection.hostKey);
      assert.equal(connection.privateKey, "[secret]");
      assert.equal(connection.dialErrorLimit, FRESH_VM_DIAL.dialErrorLimit);
      assert.equal(connection.perDialTimeout, FRESH_VM_DIAL.perDialTimeout);
    }
    assert.equal(new Set(keyOfBuilder.values()).size, builders(prod).length, "each builder has its own host key");
  });

  it("gives the Linode builder the builder key as one line, without the TLS provider's newline", () => {
    const [key, ...others] = builders(prod).find((b) => b.type === "linode:index/instance:Instance")!.inputs.authorizedKeys as string[];
    assert.deepEqual(others, []);
    assert.match(key!, /^ssh-rsa [A-Za-z0-9+/]+=*$/);
    // The same key the alicloud builder imports, as the TLS provider wrote it (newline and all).
    const imported = prod.resources.find((r) => r.type === "alicloud:ecs/ecsKeyPair:EcsKeyPair")!.inputs.publicKey as string;
    assert.equal(imported, `${key}\n`);
  });

  it("turns the Linode watchdog off on the builder (it would boot the powered-off builder again)", () => {
    assert.equal(builders(prod).find((b) => b.type === "linode:index/instance:Instance")!.inputs.watchdogEnabled, false);
  });
});

describe("stack-scoped physical names", () => {
  it("another stack with the same config gets other Linode labels and alicloud names", () => {
    const other = planJson(["--stack", "prod2", "--config-file", path.join(REPO_ROOT, "Pulumi.prod.yaml")]);
    const names = (plan: Plan) =>
      new Set(
        plan.resources.flatMap((r) => {
          if (r.type.startsWith("linode:")) return [r.inputs.label];
          if (r.type.startsWith("alicloud:ecs/")) return [r.inputs.imageName, r.inputs.instanceName, r.inputs.keyPairName];
          return [];
        }).filter((n): n is string => typeof n === "string"),
      );
    const shared = [...names(prod)].filter((n) => names(other).has(n));
    assert.ok(names(prod).size > 5);
    assert.deepEqual(shared, []);
  });
});

describe("a second `pulumi up` with nothing changed changes nothing", () => {
  it("plans identically when every 'newest' data source answers differently", () => {
    const a = planJson(["--stack", "staging"], { PLAN_MOCK_SEED: "monday" });
    const b = planJson(["--stack", "staging"], { PLAN_MOCK_SEED: "tuesday" });
    assert.deepEqual(b.resources, a.resources);
    assert.deepEqual(b.userData, a.userData);
  });

  // What a refresh reads from a builder whose guest powered itself off: Linode `booted` false
  // (linode/terraform-provider-linode linode/instance/resource.go: d.Set("booted",
  // isInstanceBooted(instance))); ECS `status` Stopped and `stopped_mode` as ECS reports it, not
  // StopCharging for a guest power-off (aliyun/terraform-provider-alicloud alicloud/
  // resource_alicloud_instance.go Read); OCI `state` STOPPED (oracle/terraform-provider-oci
  // internal/service/core/core_instance_resource.go SetData). All are Optional+Computed in their
  // schemas: unset in the program, Terraform keeps the refreshed value and plans no change; set,
  // it compares (OCI `state` case-insensitively, EqualIgnoreCaseSuppressDiff).
  const REFRESHED: Readonly<Record<string, Record<string, unknown>>> = {
    "linode:index/instance:Instance": { booted: false },
    "alicloud:ecs/instance:Instance": { status: "Stopped", stoppedMode: "KeepCharging" },
    "oci:Core/instance:Instance": { state: "STOPPED" },
  };
  const powerDiff = (type: string, inputs: Record<string, unknown>): string[] =>
    Object.entries(REFRESHED[type] ?? {})
      .filter(([key, value]) => key in inputs && String(inputs[key]).toUpperCase() !== String(value).toUpperCase())
      .map(([key]) => key);

  it("a powered-off builder does not diff: its power inputs are left to the provider", () => {
    assert.equal(builders(prod).length, 38);
    for (const b of builders(prod)) {
      assert.deepEqual(powerDiff(b.type, b.inputs), [], b.name);
      assert.equal(b.options.ignoreChanges, undefined, `${b.name}: nothing to ignore`);
    }
    // The check can fail: a declared power input would diff after the guest's power-off.
    const ali = builders(prod).find((b) => b.type === "alicloud:ecs/instance:Instance")!;
    assert.deepEqual(powerDiff(ali.type, { ...ali.inputs, stoppedMode: "StopCharging" }), ["stoppedMode"]);
    const lin = builders(prod).find((b) => b.type === "linode:index/instance:Instance")!;
    assert.deepEqual(powerDiff(lin.type, { ...lin.inputs, booted: true }), ["booted"]);
  });
});

describe("waitForState", () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, sleep: (ms: number) => Promise.resolve(void (t += ms)) };
  };

  it("returns once the provider reports the target state", async () => {
    const states = ["running", "shutting_down", "offline"];
    let reads = 0;
    await waitForState("b", "offline", () => Promise.resolve(states[reads++]), { intervalMs: 10, timeoutMs: 100, ...clock() });
    assert.equal(reads, 3);
  });

  it("fails at the deadline, naming the builder and its last state", async () => {
    await assert.rejects(
      waitForState("linode-base-builder", "offline", () => Promise.resolve("running"), { intervalMs: 10, timeoutMs: 100, ...clock() }),
      /linode-base-builder: not offline after 0\.1 s \(state: running\)/,
    );
  });

  it("asks the API to stop the instance once, when the guest's power-off has not shown by then", async () => {
    const stops: number[] = [];
    const c = clock();
    let state = "RUNNING";
    const read = () => Promise.resolve(stops.length > 0 && c.now() >= stops[0]! + 20 ? "STOPPED" : state);
    const stop = { afterMs: 30, from: "RUNNING", stop: () => Promise.resolve(void stops.push(c.now())) };
    await waitForState("oci-b", "STOPPED", read, { intervalMs: 10, timeoutMs: 100, ...c }, stop);
    assert.deepEqual(stops, [30]);
    // A guest whose power-off shows in time is never stopped through the API, nor one already on its way (STOPPING).
    for (state of ["STOPPED", "STOPPING"]) {
      stops.length = 0;
      const states = [state, state, state, state, "STOPPED"];
      await waitForState("oci-b", "STOPPED", () => Promise.resolve(states.shift()), { intervalMs: 10, timeoutMs: 100, ...clock() }, stop);
      assert.deepEqual(stops, [], state);
    }
  });

  it("says at the deadline what the stop through the API answered; a failed stop is warned about and the wait goes on", async () => {
    let stops = 0;
    const options = { intervalMs: 10, timeoutMs: 100, ...clock() };
    await assert.rejects(
      waitForState("oci-b", "STOPPED", () => Promise.resolve("RUNNING"), options, { afterMs: 30, from: "RUNNING", stop: () => Promise.resolve(void stops++) }),
      /oci-b: not STOPPED after 0\.1 s \(state: RUNNING; a stop through the API was requested after 0\.03 s\)/,
    );
    assert.equal(stops, 1);

    const warnings: string[] = [];
    const c = clock();
    const refused = () => Promise.reject(new Error("OCI API key: no fingerprint"));
    // The state comes after all: the wait ends well, with the failure warned about.
    await waitForState("oci-b", "STOPPED", () => Promise.resolve(c.now() >= 60 ? "STOPPED" : "RUNNING"), { intervalMs: 10, timeoutMs: 100, ...c, warn: (m) => warnings.push(m) }, { afterMs: 30, from: "RUNNING", stop: refused });
    assert.deepEqual(warnings, ["oci-b: still RUNNING; the stop through the API after 0.03 s failed: OCI API key: no fingerprint"]);
    await assert.rejects(
      waitForState("oci-b", "STOPPED", () => Promise.resolve("RUNNING"), { intervalMs: 10, timeoutMs: 100, ...clock(), warn: () => undefined }, { afterMs: 30, from: "RUNNING", stop: refused }),
      /\(state: RUNNING; the stop through the API after 0\.03 s failed: OCI API key: no fingerprint\)/,
    );
  });
});

describe("forcing a rebuild", () => {
  it("a new image.rebuild label renames every image; outside the image components only the image of routes on newest changes", () => {
    const staging = planJson(["--stack", "staging"]);
    const rebuilt = planJson([
      "--stack", "staging", "--config-file",
      variantStackFile("staging", (c) => ((c["lantern-fleet:image"] as Record<string, string>).rebuild = "2026-11-25")),
    ]);
    const changes = changedResources(staging, rebuilt);
    const imageNames = changes.filter((c) => /image:Image$/.test(c.type));
    assert.equal(imageNames.length, 3, "one image per provider in staging");
    const outside = changes.filter((c) => !/-base-|^linode-base|^alicloud-base/.test(c.name));
    const routes = (staging.outputs.routes as unknown[]).length;
    // Staging's tracks are held: each route's stash is declared with the new build and ignores it
    // (the instance boots the stash's recorded build: components/fleet.ts routeImage). A plan has
    // no state, so its stashes are new and its instances show the new build, which they ignore
    // too: no running route moves (plan/image-rolls.test.ts).
    const stashes = outside.filter((c) => c.type === "pulumi:index:Stash");
    assert.equal(stashes.length, routes, "one stash per held route");
    for (const c of stashes) {
      assert.deepEqual(c.keys, ["input"], `${c.name}: only its input`);
      assert.deepEqual(c.options.ignoreChanges, ["input"], `${c.name}: keeps the build it was created with`);
    }
    const instances = outside.filter((c) => c.type !== "pulumi:index:Stash");
    assert.equal(instances.length, routes);
    for (const c of instances) assert.deepEqual(c.keys, [IMAGE_PROPERTY[c.type.split(":")[0] as ProviderName]], `${c.name}: only its image`);
  });
});

describe("baseImageName and recipeHash", () => {
  const base: ImageIdentity = {
    stack: "prod",
    recipe: recipeHash(),
    parameters: { caCertUrl: "https://a.example/ca.crt", otlpEndpoint: "https://otel.example:443" },
    stockImage: "linode/ubuntu24.04",
  };

  it("changes with each input: stack, recipe, every parameter, stock image, rebuild label, build region", () => {
    const variants: ImageIdentity[] = [
      { ...base, stack: "staging" },
      { ...base, recipe: "0".repeat(64) },
      ...Object.keys(base.parameters).map((key) => ({ ...base, parameters: { ...base.parameters, [key]: "https://other.example" } })),
      { ...base, stockImage: "linode/ubuntu24.10" },
      { ...base, rebuild: "2026-11-25" },
      { ...base, buildRegion: "us-sea" },
    ];
    const names = new Set([base, ...variants].map(baseImageName));
    assert.equal(names.size, variants.length + 1);
    assert.match(baseImageName(base), /^lantern-prod-base-[0-9a-f]{8}$/);
  });

  it("recipeHash changes with a one-byte change to any recipe file, and with nothing else", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "recipe-"));
    cpSync(RECIPE_DIR, copy, { recursive: true });
    assert.equal(recipeHash(copy), recipeHash());
    const file = path.join(copy, "provision.sh");
    writeFileSync(file, `${readFileSync(file, "utf8")} `);
    assert.notEqual(recipeHash(copy), recipeHash());
    assert.notEqual(baseImageName({ ...base, recipe: recipeHash(copy) }), baseImageName(base));
  });
});
