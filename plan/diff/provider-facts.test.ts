/**
 * The diff's verdict per provider input, checked against the providers'
 * facts written here independently of the table (provider-facts.ts), each
 * with the source it was read from, at the version the installed SDK
 * bundles. A wrong table entry fails here, not only a changed one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, renderReport } from "../diff";
import type { Effect } from "./resources";
import { PROVIDER_FACTS } from "./provider-facts";
import { plan, res } from "./synthetic";

/** [resource type, input path, old value, new value, expected effect, expected wording]. */
type Expectation = [type: string, path: string, old: unknown, neu: unknown, effect: Effect, note: RegExp];

const LINODE = "linode:index/instance:Instance";
const ALICLOUD = "alicloud:ecs/instance:Instance";
const OCI = "oci:Core/instance:Instance";
const REMOTE = "command:remote:Command";
const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";

const EXPECTED: readonly Expectation[] = [
  // linode/terraform-provider-linode v3.1.1 (what @pulumi/linode 5.1.1 bundles), linode/instance/schema_resource.go:
  // metadata.user_data, image, authorized_keys, root_pass and firewall_id are `ForceNew: true`.
  [LINODE, "metadatas", [{ userData: "YQ==" }], [{ userData: "Yg==" }], "replace", /^replace/],
  [LINODE, "image", "private/1", "private/2", "replace", /^replace/],
  [LINODE, "authorizedKeys", ["ssh-ed25519 A"], ["ssh-ed25519 B"], "replace", /^replace/],
  [LINODE, "rootPass", "a".repeat(12), "b".repeat(12), "replace", /^replace/],
  [LINODE, "firewallId", 1, 2, "replace", /^replace/],
  // linode/instance/resource.go: a region change calls applyInstanceMigration; a type change applyInstanceTypeChange (resize).
  [LINODE, "region", "us-lax", "fr-par", "migrate", /^migration \(in place/],
  [LINODE, "type", "g6-nanode-1", "g6-standard-1", "update", /^in place \(resize/],
  // aliyun/terraform-provider-alicloud alicloud/resource_alicloud_instance.go: user_data goes through
  // ModifyInstanceAttribute with reboot = true; image_id through ReplaceSystemDisk; instance_type through
  // ModifyInstanceSpec; availability_zone is `ForceNew: true`.
  [ALICLOUD, "userData", "YQ==", "Yg==", "update", /^in place \(with a reboot; cloud-init does not re-run/],
  [ALICLOUD, "imageId", "m-1", "m-2", "update", /^in place \(system disk replaced/],
  [ALICLOUD, "instanceType", "ecs.t6-c1m1.large", "ecs.t6-c1m2.large", "update", /^in place/],
  [ALICLOUD, "availabilityZone", "ap-southeast-1a", "ap-southeast-1b", "replace", /^replace/],
  // oracle/terraform-provider-oci v8.23.0 (@pulumi/oci 4.20.0's upstream), internal/service/core/core_instance_resource.go:
  // CustomizeDiff ForceNewIfChange("metadata") when user_data or ssh_authorized_keys change; other metadata keys
  // update in place; availability_domain is `ForceNew: true`; shape and source_details.source_id go through UpdateInstance.
  [OCI, "metadata", { user_data: "YQ==" }, { user_data: "Yg==" }, "replace", /^replace/],
  [OCI, "metadata", { ssh_authorized_keys: "a" }, { ssh_authorized_keys: "b" }, "replace", /^replace/],
  [OCI, "metadata", { other: "a" }, { other: "b" }, "update", /^in place$/],
  [OCI, "availabilityDomain", "AD-1", "AD-2", "replace", /^replace/],
  [OCI, "shape", "VM.Standard.A1.Flex", "VM.Standard.E4.Flex", "update", /^in place/],
  [OCI, "sourceDetails", { sourceType: "image", sourceId: "i1" }, { sourceType: "image", sourceId: "i2" }, "update", /^in place \(boot volume replaced/],
  // pulumi/pulumi-command v1.2.1: provider/pkg/provider/common/inputs.go tags `triggers` provider:"replaceOnChanges";
  // remote/commandController.go Update runs `update`, or `create` when there is no `update`, on any other change.
  [REMOTE, "triggers", ["v1"], ["v2"], "replace", /^replace/],
  [REMOTE, "stdin", "a", "b", "rerun", /^re-run \(runs `update`\)$/],
  [REMOTE, "environment", { A: "1" }, { A: "2" }, "rerun", /^re-run/],
  // tailscale/terraform-provider-tailscale v0.29.2 (@pulumi/tailscale 0.29.1), tailscale/resource_tailnet_key.go:
  // reusable, ephemeral, tags, preauthorized, expiry and description have RequiresReplace plan modifiers;
  // recreate_if_invalid has none (Update only re-reads the key).
  [TAILNET_KEY, "tags", ["tag:a"], ["tag:b"], "replace", /^replace \(provider: RequiresReplace/],
  [TAILNET_KEY, "expiry", 86400, 3600, "replace", /^replace/],
  [TAILNET_KEY, "preauthorized", false, true, "replace", /^replace/],
  [TAILNET_KEY, "reusable", true, false, "replace", /^replace/],
  [TAILNET_KEY, "recreateIfInvalid", "always", "never", "update", /^in place/],
];

describe("provider facts, checked against the providers' sources", () => {
  for (const [type, path, old, neu, effect, note] of EXPECTED) {
    it(`${type} ${path}: ${JSON.stringify(old)} -> ${JSON.stringify(neu)} is ${effect}`, () => {
      const base = type === REMOTE ? { create: "run", update: "check" } : {};
      const d = diffPlans(plan([res(type, "r", { ...base, [path]: old })]), plan([res(type, "r", { ...base, [path]: neu })]));
      const changes = d.resources[0]?.changes ?? [];
      assert.ok(changes.length > 0, "a change");
      for (const c of changes) {
        assert.equal(c.effect, effect, c.path);
        assert.match(c.note, note, c.path);
      }
      assert.equal(d.resources[0]?.action, effect === "replace" ? "replace" : "update");
    });
  }

  it("a command without `update` re-runs `create`; a replaced command runs `create`", () => {
    const one = diffPlans(plan([res(REMOTE, "c", { create: "a" })]), plan([res(REMOTE, "c", { create: "b" })]));
    assert.match(one.resources[0]?.changes[0]?.note ?? "", /^re-run \(runs `create`\)$/);
    const both = diffPlans(
      plan([res(REMOTE, "c", { create: "a", update: "u", triggers: ["1"] })]),
      plan([res(REMOTE, "c", { create: "b", update: "u", triggers: ["2"] })]),
    );
    assert.match(both.resources[0]?.changes.find((c) => c.path === "create")?.note ?? "", /the replacement runs `create`/);
  });

  it("the program's options win over the provider's facts", () => {
    const d = diffPlans(
      plan([
        res(LINODE, "a", { image: "i1" }, { options: { ignoreChanges: ["image"] } }),
        res(ALICLOUD, "b", { userData: "YQ==" }, { options: { replaceOnChanges: ["userData"] } }),
      ]),
      plan([
        res(LINODE, "a", { image: "i2" }, { options: { ignoreChanges: ["image"] } }),
        res(ALICLOUD, "b", { userData: "Yg==" }, { options: { replaceOnChanges: ["userData"] } }),
      ]),
    );
    const byName = Object.fromEntries(d.resources.map((c) => [c.name, c]));
    assert.deepEqual([byName.a?.action, byName.a?.changes[0]?.note], ["ignored", "ignored (ignoreChanges)"]);
    assert.deepEqual([byName.b?.action, byName.b?.changes[0]?.note], ["replace", "replace (replaceOnChanges)"]);
  });

  it("every entry names a public source: a provider repository at a version and a file, or a URL", () => {
    for (const [type, facts] of Object.entries(PROVIDER_FACTS)) {
      for (const f of facts.inputs) {
        assert.match(f.source, /^([\w-]+\/[\w-]+@v[\d.]+:[\w/.-]+\.go|https:\/\/\S+)$/, `${type} ${f.input}`);
        assert.ok(f.evidence.length > 0, `${type} ${f.input}`);
      }
    }
  });

  it("the report names the source of each verdict it took from the table", () => {
    const d = diffPlans(plan([res(LINODE, "r", { region: "us-lax" })]), plan([res(LINODE, "r", { region: "fr-par" })]));
    const report = renderReport(d);
    assert.match(report, /`region` "us-lax" -> "fr-par": migration \(in place: the Linode is migrated to the new region\)/);
    assert.match(report, /^- `region` of `linode:index\/instance:Instance`: linode\/terraform-provider-linode@v3\.1\.1:linode\/instance\/resource\.go$/m);
  });
});
