/**
 * routeImage: the image each route's instance is declared with, per track.
 * The mocks answer a Stash as the engine does on a later run, when its
 * recorded `output` is no longer its `input` (pulumi/pulumi
 * pkg/resource/deploy/builtins.go, Update: `output` is the old output), so
 * only an image that really comes from the stash reads the recorded build.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, Route } from "../stacks/config";
import { routeImage } from "./fleet";

const RECORDED = "private/1";
const NEWEST = "private/2";
const stashes: { name: string; input: unknown }[] = [];

class Parent extends pulumi.ComponentResource {
  constructor() {
    super("test:index:Parent", "parent", {});
  }
}

const valueOf = <T>(output: pulumi.Input<T>): Promise<T> => new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));

describe("routeImage", () => {
  let parent: Parent;
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          if (args.type !== "pulumi:index:Stash") return { id: `${args.name}-id`, state: args.inputs };
          stashes.push({ name: args.name, input: args.inputs.input });
          return { id: `${args.name}-id`, state: { input: args.inputs.input, output: RECORDED } };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    parent = new Parent();
  });

  const config = { image: { tracks: { stable: "hold", canary: "newest", pinned: { linode: "private/0" } } } } as unknown as FleetConfig;
  const imageOf = (track: string) =>
    routeImage(config, { "us-lax": pulumi.output(NEWEST) })({ id: `linode-us-lax-${track}-1`, provider: "linode", region: "us-lax", track } as Route, parent);

  it("boots a held route from its stash, which is declared with the newest build", async () => {
    const image = imageOf("stable");
    assert.equal(image.held, true);
    assert.equal(await valueOf(image.id), RECORDED, "the stash's recorded build, not the newest");
    assert.deepEqual(stashes.at(-1), { name: "linode-us-lax-stable-1-held-image", input: NEWEST });
  });

  it("boots a `newest` route from the newest build and a pinned one from its pin, without a stash", async () => {
    const before = stashes.length;
    const newest = imageOf("canary");
    const pinned = imageOf("pinned");
    assert.deepEqual([newest.held, pinned.held], [false, false]);
    assert.equal(await valueOf(newest.id), NEWEST);
    assert.equal(await valueOf(pinned.id), "private/0");
    assert.equal(stashes.length, before);
  });
});
