import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dialBudgetSeconds, FRESH_VM_DIAL, sshConnection } from "./ssh";

describe("SSH dial budget", () => {
  it("reproduces the provider defaults' ~11 s of refused dials (pulumi-command: 10 retries, 15 s per dial)", () => {
    assert.equal(Math.round(dialBudgetSeconds({ dialErrorLimit: 10, perDialTimeout: 15 }, "refused")), 11);
  });

  it("gives a fresh VM minutes, not seconds, and still fails in bounded time", () => {
    const refused = dialBudgetSeconds(FRESH_VM_DIAL, "refused");
    const timeouts = dialBudgetSeconds(FRESH_VM_DIAL, "timeout");
    assert.ok(refused > 150 && refused < 180, `refused: ${refused}`);
    assert.ok(timeouts > 540 && timeouts < 600, `timeouts: ${timeouts}`);
  });

  it("every connection pins the host key and carries the budget", () => {
    const connection = sshConnection({ host: "198.51.100.7", user: "root", privateKey: "k", hostKey: "ssh-ed25519 AAAA host" });
    assert.equal(connection.hostKey, "ssh-ed25519 AAAA host");
    assert.equal(connection.dialErrorLimit, FRESH_VM_DIAL.dialErrorLimit);
    assert.equal(connection.perDialTimeout, FRESH_VM_DIAL.perDialTimeout);
  });
});
