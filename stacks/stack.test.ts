import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { KEY_STAND_INS, routeLaunchData } from "../components/cloud-init";
import { mocks } from "../plan/mocks";
import { engineConfig } from "../plan/stack-file";
import { routesOf } from "./config";
import { loadStack, PROJECT, StackConfigError } from "./stack";

const staging = engineConfig(readFileSync(path.join(__dirname, "..", "Pulumi.staging.yaml"), "utf8"));

async function withConfig(config: Record<string, string>, secretKeys: string[]): Promise<void> {
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(mocks, PROJECT, "staging", false);
}

describe("loadStack", () => {
  // The CLI refuses to run a stack that lacks a key Pulumi.yaml declares without a default
  // (pulumi/pulumi pkg/workspace/config.go, missingStackConfigurationKeysError), and the offline
  // plan never reads Pulumi.yaml: so the keys declared there must be exactly ones the program
  // also cannot run without, and none may carry a default of its own (the schema's is the one).
  it("Pulumi.yaml declares only keys the program requires, with no defaults", async () => {
    const project = parse(readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> };
    const declared = Object.keys(project.config);
    assert.ok(declared.length > 0);
    for (const key of declared) {
      assert.ok(!("default" in project.config[key]!) && !("value" in project.config[key]!), `${key}: a default in Pulumi.yaml`);
      const { [`${PROJECT}:${key}`]: _removed, ...rest } = staging.config;
      await withConfig(rest, staging.secretKeys);
      assert.throws(loadStack, (err: unknown) => err instanceof StackConfigError && err.problems.some((p) => p.path === key), `${key}: the program runs without it`);
    }
  });

  it("refuses to run without the secrets, naming each with the command that sets it", async () => {
    const { [`${PROJECT}:tailscaleOauthClientSecret`]: _t, [`${PROJECT}:routeConfig`]: _r, ...plain } = staging.config;
    await withConfig(plain, []);
    assert.throws(loadStack, (err: unknown) => {
      assert.ok(err instanceof StackConfigError);
      assert.ok(pulumi.RunError.isInstance(err), "a RunError prints without a stack trace");
      assert.deepEqual(err.problems.map((p) => p.path), ["tailscaleOauthClientSecret", "routeConfig"]);
      assert.match(err.message, /pulumi config set --secret tailscaleOauthClientSecret/);
      return true;
    });
  });

  it("refuses route config that is not a JSON object, without echoing it", async () => {
    await withConfig({ ...staging.config, [`${PROJECT}:routeConfig`]: "hunter2" }, staging.secretKeys);
    assert.throws(loadStack, (err: unknown) => err instanceof StackConfigError && !err.message.includes("hunter2"));
  });

  it("refuses to run without SSH sources or stock image pins, naming the keys", async () => {
    const { [`${PROJECT}:ingress`]: _i, ...rest } = staging.config;
    const image = JSON.parse(staging.config[`${PROJECT}:image`]!) as Record<string, unknown>;
    await withConfig({ ...rest, [`${PROJECT}:image`]: JSON.stringify({ ...image, stockImages: {} }) }, staging.secretKeys);
    assert.throws(loadStack, (err: unknown) => {
      assert.ok(err instanceof StackConfigError);
      assert.deepEqual(err.problems.map((p) => p.path).sort(), [
        "image.stockImages.alicloud.ap-southeast-1",
        "image.stockImages.linode",
        "image.stockImages.oci.us-ashburn-1",
        "ingress.sshSourceCidrs",
      ]);
      return true;
    });
  });

  it("refuses to run without the Tailscale OAuth client id and tags, or with bad tags or expiry, naming the keys", async () => {
    const { [`${PROJECT}:tailscale`]: _ts, ...rest } = staging.config;
    await withConfig(rest, staging.secretKeys);
    assert.throws(loadStack, (err: unknown) => {
      assert.ok(err instanceof StackConfigError);
      assert.deepEqual(err.problems.map((p) => p.path).sort(), ["tailscale.oauthClientId", "tailscale.tags"]);
      return true;
    });
    const bad = { oauthClientId: "kClientCNTRL", tags: ["lantern-route", "tag:9lives", "tag:ok"], keyExpirySeconds: 59 };
    await withConfig({ ...rest, [`${PROJECT}:tailscale`]: JSON.stringify(bad) }, staging.secretKeys);
    assert.throws(loadStack, (err: unknown) => {
      assert.ok(err instanceof StackConfigError);
      assert.deepEqual(err.problems.map((p) => p.path), ["tailscale.tags.0", "tailscale.tags.1", "tailscale.keyExpirySeconds"]);
      assert.match(err.message, /tailscale\.tags\.0: expected a Tailscale tag: tag: then a letter/);
      assert.match(err.message, /tailscale\.keyExpirySeconds: .*600/);
      return true;
    });
  });

  it("reports deploy problems with the config's other problems at once: a bad tag and missing SSH sources", async () => {
    const { [`${PROJECT}:ingress`]: _i, ...rest } = staging.config;
    await withConfig({ ...rest, [`${PROJECT}:releaseTag`]: "latest" }, staging.secretKeys);
    assert.throws(loadStack, (err: unknown) => {
      assert.ok(err instanceof StackConfigError);
      assert.deepEqual(err.problems.map((p) => p.path), ["releaseTag", "ingress.sshSourceCidrs"]);
      assert.match(err.message, /releaseTag: expected a release tag like v0\.0\.73/);
      assert.match(err.message, /ingress\.sshSourceCidrs: required: list the deploy runner's egress CIDRs/);
      return true;
    });
  });

  it("reports schema, cross-key, secret and deploy problems together", async () => {
    const { [`${PROJECT}:tailscale`]: _ts, [`${PROJECT}:routeConfig`]: _r, ...rest } = staging.config;
    const image = JSON.parse(staging.config[`${PROJECT}:image`]!) as Record<string, unknown>;
    const providers = JSON.parse(staging.config[`${PROJECT}:providers`]!) as Record<string, any>;
    providers.oci.rollout = "swap";
    providers.linode.regions["us-nowhere"] = { beta: 1 };
    // A bad tag, no routeConfig secret, no Tailscale settings, no pins; `providers` as given.
    const problemPaths = async (): Promise<string[]> => {
      await withConfig(
        {
          ...rest,
          [`${PROJECT}:releaseTag`]: "latest",
          [`${PROJECT}:image`]: JSON.stringify({ ...image, stockImages: {}, tracks: { stable: "hold" } }),
          [`${PROJECT}:providers`]: JSON.stringify(providers),
        },
        staging.secretKeys.filter((k) => k !== `${PROJECT}:routeConfig`),
      );
      try {
        loadStack();
      } catch (err) {
        assert.ok(err instanceof StackConfigError);
        return err.problems.map((p) => p.path);
      }
      return assert.fail("loadStack accepted the config");
    };
    // Providers that fail their schema or the cross-key rules decide no pin, zone or track image.
    assert.deepEqual(await problemPaths(), [
      "releaseTag",
      "providers.oci.rollout",
      "providers.linode.regions.us-nowhere",
      "providers.linode.regions.us-nowhere.beta",
      "routeConfig",
      "tailscale.oauthClientId",
      "tailscale.tags",
    ]);
    providers.oci.rollout = "hotswap";
    delete providers.linode.regions["us-nowhere"];
    assert.deepEqual(await problemPaths(), [
      "releaseTag",
      "routeConfig",
      "tailscale.oauthClientId",
      "tailscale.tags",
      "image.stockImages.linode",
      "image.stockImages.alicloud.ap-southeast-1",
      "image.stockImages.oci.us-ashburn-1",
      "image.tracks.canary",
    ]);
  });

  it("reports no deploy problem at a key whose own value is wrong, nor from a section that does not parse", async () => {
    const expectOnly = async (edits: Record<string, unknown>, paths: string[]) => {
      await withConfig({ ...staging.config, ...Object.fromEntries(Object.entries(edits).map(([k, v]) => [`${PROJECT}:${k}`, JSON.stringify(v)])) }, staging.secretKeys);
      assert.throws(loadStack, (err: unknown) => {
        assert.ok(err instanceof StackConfigError);
        assert.deepEqual(err.problems.map((p) => p.path), paths);
        return true;
      });
    };
    await expectOnly({ ingress: { sshSourceCidrs: [] } }, ["ingress.sshSourceCidrs"]);
    await expectOnly({ tailscale: { oauthClientId: "k client", tags: [] } }, ["tailscale.oauthClientId", "tailscale.tags"]);
    await expectOnly({ image: { stockImages: {} } }, ["image.caCertUrl"]);
  });

  it("keeps user-data and the pushed config files secret", async () => {
    await withConfig(staging.config, staging.secretKeys);
    const { stack, config, secrets } = loadStack();
    const keys = { managementPublicKey: pulumi.output(KEY_STAND_INS.managementPublicKey), hostPrivateKey: pulumi.output(KEY_STAND_INS.hostPrivateKey), hostPublicKey: pulumi.output(KEY_STAND_INS.hostPublicKey) };
    const inputs = { route: routesOf(config)[0]!, stack, config, secrets, keys };
    const { userData, configFiles } = routeLaunchData(inputs);
    assert.equal(await pulumi.isSecret(userData), true);
    assert.equal(await pulumi.isSecret(configFiles), true);
  });
});
