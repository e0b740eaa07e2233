import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { combine } from "./outputs";

/**
 * What the SDK keeps on every Output besides its value, @internal there
 * (@pulumi/pulumi output.ts, OutputImpl: isKnown, allResources): what a
 * resource given the Output depends on, and whether a preview knows it.
 */
interface OutputState {
  readonly isKnown: Promise<boolean>;
  allResources(): Promise<Set<pulumi.Resource>>;
}

async function stateOf(output: pulumi.Output<unknown>): Promise<{ known: boolean; secret: boolean; resources: string[] }> {
  const state = output as unknown as OutputState;
  const urns = await Promise.all([...(await state.allResources())].map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));
  return { known: await state.isKnown, secret: await pulumi.isSecret(output), resources: urns.sort() };
}

/** A resource for the Outputs to come from, registered with the mocks. */
class Thing extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Thing", name, {});
  }
}

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("combine", () => {
  let a: pulumi.Output<string>, b: pulumi.Output<string>;
  before(async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs }, "project", "stack", false);
    a = new Thing("a").urn.apply(() => "A");
    b = new Thing("b").urn.apply(() => "B");
  });

  it("gives pulumi.all's value, secrecy and resources when its inputs are known", async () => {
    const cases: [pulumi.Output<string>, pulumi.Output<string>][] = [[a, b], [pulumi.secret(a), b], [a, pulumi.secret(b)], [pulumi.output("plain"), a]];
    for (const inputs of cases) {
      const combined = combine(inputs, ([x, y]) => `${x}+${y}`);
      const all = pulumi.all(inputs).apply(([x, y]) => `${x}+${y}`);
      assert.equal(await valueOf(combined), await valueOf(all));
      assert.deepEqual(await stateOf(combined), await stateOf(all));
    }
  });

  it("lifts an Output the callback returns", async () => {
    const combined = combine([a], ([x]) => pulumi.secret(b.apply((y) => `${x}${y}`)));
    assert.equal(await valueOf(combined), "AB");
    assert.deepEqual(await stateOf(combined), { known: true, secret: true, resources: ["urn:pulumi:stack::project::test:index:Thing::a", "urn:pulumi:stack::project::test:index:Thing::b"] });
  });

  it("is unknown when an input is, without calling back, and keeps the secrecy and resources up to that input", async () => {
    let called = false;
    const unknown = pulumi.output(pulumi.unknown) as pulumi.Output<string>;
    const combined = combine([pulumi.secret(a), unknown, b], () => ((called = true), "never"));
    assert.deepEqual(await stateOf(combined), { known: false, secret: true, resources: ["urn:pulumi:stack::project::test:index:Thing::a"] });
    assert.equal(called, false);
  });

  it("needs an Output to wait on", () => {
    assert.throws(() => combine([], () => "x"), /at least one Output/);
  });
});
