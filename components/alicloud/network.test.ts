import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { vswitchCidrOf } from "./network";

describe("vswitchCidrOf", () => {
  it("gives each zone of a region its own /24 in the VPC, so a zone move's new vSwitch overlaps nothing", () => {
    const cidrs = "abcdefghijklmnopqrstuvwxyz".split("").map((letter) => vswitchCidrOf(`cn-hangzhou-${letter}`));
    assert.equal(new Set(cidrs).size, 26);
    assert.equal(vswitchCidrOf("ap-southeast-1a"), "10.42.1.0/24");
    assert.equal(vswitchCidrOf("ap-southeast-1b"), "10.42.2.0/24");
    for (const cidr of cidrs) assert.match(cidr, /^10\.42\.([1-9]|1[0-9]|2[0-6])\.0\/24$/);
  });

  it("refuses a zone id that does not end in a letter", () => {
    assert.throws(() => vswitchCidrOf("ap-southeast-1"), /expected a zone id ending in a letter/);
  });
});
