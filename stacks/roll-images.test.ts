import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployProblems, parseFleetConfig } from "./config";
import { rollCommands, trackPins } from "./roll-images";

const images = {
  linode: "private/168223108",
  alicloud: { "ap-southeast-1": "m-7c600bf6862330ec" },
  oci: { "us-phoenix-1": "ocid1.image.oc1..mockf8795873d3141215", "us-ashburn-1": "ocid1.image.oc1..mock0123456789abcdef" },
};

describe("rollCommands (npm run roll-images)", () => {
  it("removes the track's old pin, then pins every provider and region to the stack output images, in a stable order", () => {
    assert.deepEqual(rollCommands("prod", "stable", images), [
      "pulumi config rm --stack prod --path 'image.tracks.stable'",
      "pulumi config set --stack prod --path 'image.tracks.stable.linode' 'private/168223108'",
      "pulumi config set --stack prod --path 'image.tracks.stable.alicloud.ap-southeast-1' 'm-7c600bf6862330ec'",
      "pulumi config set --stack prod --path 'image.tracks.stable.oci.us-ashburn-1' 'ocid1.image.oc1..mock0123456789abcdef'",
      "pulumi config set --stack prod --path 'image.tracks.stable.oci.us-phoenix-1' 'ocid1.image.oc1..mockf8795873d3141215'",
    ]);
  });

  it("prints pins the config accepts", () => {
    const pinned: Record<string, any> = {};
    for (const [path, id] of trackPins("stable", images)) {
      const keys = path.split(".").slice(3);
      let at = pinned;
      for (const key of keys.slice(0, -1)) at = at[key] ??= {};
      at[keys.at(-1)!] = id;
    }
    const cfg = parseFleetConfig({
      releaseTag: "v0.0.73",
      tracks: { stable: {} },
      image: { caCertUrl: "https://ops.example.com/ca.crt", tracks: { stable: pinned } },
      sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDTHlpOZpSeiM5yPfwRYVzzRJARhRua3es3vmSmBWPPN ops@x"],
      providers: { linode: { rollout: "hotswap", regions: { "us-lax": { stable: 1 } } } },
    });
    assert.deepEqual(cfg.image.tracks.stable, images);
  });

  it("refuses what is not a build's image ids, and names that cannot reach a shell as they are", () => {
    assert.throws(() => rollCommands("prod", "stable", "newest"), /not a set of built image ids \(it says newest\)/);
    assert.throws(() => rollCommands("prod", "stable", "hold"), /not a set of built image ids \(it says hold\)/);
    assert.throws(() => rollCommands("prod", "stable", { linode: "linode/ubuntu24.04" }), /expected a Linode private image id/);
    assert.throws(() => rollCommands("prod", "stable", { oci: { "us-ashburn-1": "x'; rm -rf /" } }), /expected an OCI image OCID/);
    // Region keys reach the printed command too: only the catalog's regions pass.
    assert.throws(() => rollCommands("prod", "stable", { oci: { "us-ashburn-1' x": "ocid1.image.oc1.iad.aaaa" } }), /oci.us-ashburn-1' x: expected one of the oci regions in stacks\/catalog.ts/);
    assert.throws(() => rollCommands("prod", "stable", { alicloud: { "ap-nowhere-9": "m-t4nbn0abcdefgh" } }), /alicloud.ap-nowhere-9: expected one of the alicloud regions in stacks\/catalog.ts/);
    assert.throws(() => rollCommands("prod", "Stable", images), /--track: expected a track name/);
    assert.throws(() => rollCommands("prod; id", "stable", images), /--stack: expected a stack name/);
  });
});

describe("image.tracks in config", () => {
  const base = {
    releaseTag: "v0.0.73",
    tracks: { stable: {} },
    sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDTHlpOZpSeiM5yPfwRYVzzRJARhRua3es3vmSmBWPPN ops@x"],
    providers: { linode: { rollout: "hotswap", regions: { "us-lax": { stable: 1 } } } },
  };
  it("accepts hold, newest or ids, and names the key and the expectation otherwise", () => {
    assert.equal(parseFleetConfig({ ...base, image: { caCertUrl: "https://a.example/ca.crt", tracks: { stable: "newest" } } }).image.tracks.stable, "newest");
    assert.equal(parseFleetConfig({ ...base, image: { caCertUrl: "https://a.example/ca.crt", tracks: { stable: "hold" } } }).image.tracks.stable, "hold");
    assert.throws(
      () => parseFleetConfig({ ...base, image: { caCertUrl: "https://a.example/ca.crt", tracks: { stable: "latest" } } }),
      /image\.tracks\.stable: expected "hold", "newest" or the track's image ids per provider/,
    );
  });

  it("before a deploy, every track with routes names its images, a pin covers each of its regions, and names only defined tracks", () => {
    const problems = (tracks: Record<string, unknown>) =>
      deployProblems(
        parseFleetConfig({
          ...base,
          image: { caCertUrl: "https://a.example/ca.crt", stockImages: { linode: "linode/ubuntu24.04" }, tracks },
          ingress: { sshSourceCidrs: ["203.0.113.0/28"] },
          tailscale: { oauthClientId: "kClient123CNTRL", tags: ["tag:lantern-route"] },
        }),
      ).map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(problems({ stable: "newest" }), []);
    assert.deepEqual(problems({ stable: { linode: "private/1" } }), []);
    assert.match(problems({})[0]!, /^image\.tracks\.stable: missing: the base images stable routes run/);
    assert.deepEqual(problems({ stable: { oci: {} } }), ["image.tracks.stable.linode: missing: the linode image stable routes in us-lax run"]);
    assert.deepEqual(problems({ stable: "newest", beta: "newest" }), ['image.tracks.beta: track "beta" is not defined under tracks']);
  });
});
