/** Reading saved plans. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlan } from "../diff";
import { EMPTY } from "./synthetic";

describe("parsePlan", () => {
  it("parses saved plans and rejects what is not one", () => {
    assert.deepEqual(parsePlan(JSON.stringify(EMPTY)), EMPTY);
    assert.deepEqual(parsePlan('{"stack":"s","resources":[{"urn":"u","type":"t","name":"n"}]}').resources[0], {
      urn: "u", type: "t", name: "n", parent: "", inputs: {}, options: {},
    });
    assert.throws(() => parsePlan("[]"), /not a plan/);
    assert.throws(() => parsePlan(""), /not JSON/);
    assert.throws(() => parsePlan('{"stack":"staging","resources":[{"urn":1}]}'), /not a plan: resources\.0\.urn/);
  });
});
