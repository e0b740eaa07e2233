/**
 * Bad input, generated: thousands of configs, built from scratch and mutated
 * from the real staging config, go through the parser and the renderer.
 * Each one yields a valid model whose user-data is clean, or a ConfigError
 * naming key paths; never another exception.
 *
 * Deterministic in `npm test` (a fixed seed, and every counterexample ever
 * found kept below as a regression case); `npm run fuzz` explores with a new
 * seed each run (FUZZ_SEED=random) and prints it, so a find can be replayed
 * with FUZZ_SEED=<seed> and then added to REGRESSIONS.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { encodeRouteUserData, KEY_STAND_INS, userDataProblems } from "../components/cloud-init";
import { renderUserData } from "../components/cloud-init/userdata";
import { engineConfig } from "../plan/stack-file";
import { stackConfig } from "../plan/testing";
import { PROVIDER_PROFILES, PROVIDERS } from "./catalog";
import { ConfigError, type FleetConfig, MAX_ROUTES_PER_REGION_TRACK, parseFleetConfig, type Route, routesOf } from "./config";
import { HTTPS_URL, RELEASE_TAG } from "./patterns";
import { rawStackConfig } from "./stack";

const SECRETS = { routeConfig: '{"inbounds":[]}' };
// Every value the program derives from config and puts in user-data or names.
const CLEAN = /^[A-Za-z0-9._~:/-]+$/;

const FIXED_SEED = 20261126;
const seed = process.env.FUZZ_SEED === "random" ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? FIXED_SEED);
if (process.env.FUZZ_SEED !== undefined) console.log(`fast-check seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz)`);

/** The raw config of the committed staging stack, as the program receives it. */
const stagingRaw = rawStackConfig(engineConfig(`config: ${JSON.stringify(stackConfig("staging"))}`).config);

/** Parses, and checks the outcome is one of the two allowed ones. */
function parseOrProblems(raw: unknown): FleetConfig | undefined {
  try {
    return parseFleetConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) {
      assert.ok(p.path.length > 0 && p.message.length > 0, JSON.stringify(p));
    }
    return undefined;
  }
}

/** A valid model's routes and user-data hold only clean values. */
function checkModel(cfg: FleetConfig): void {
  const routes = routesOf(cfg);
  assert.ok(routes.length > 0);
  assert.equal(new Set(routes.map((r) => r.id)).size, routes.length, "route ids are unique");
  for (const r of routes) {
    for (const value of [r.id, r.region, r.track, r.releaseTag, r.instanceType]) assert.match(value, CLEAN);
    assert.match(r.releaseTag, RELEASE_TAG);
  }
  assert.match(cfg.releaseBaseUrl, HTTPS_URL);
  assert.match(cfg.releaseBaseUrl, CLEAN);
  // Rendering every route of a big fleet is slow; the first and last cover both ends.
  for (const route of [routes[0]!, routes.at(-1)!]) checkUserData(cfg, route);
}

function checkUserData(cfg: FleetConfig, route: Route): void {
  const text = renderUserData({ route, stack: "fuzz", config: cfg, secrets: SECRETS, keys: KEY_STAND_INS });
  const doc = parse(text) as { runcmd: (string | string[])[] };
  const install = doc.runcmd.filter((c) => Array.isArray(c) && c.includes("/usr/local/lib/lantern/install-lantern-box.sh"));
  assert.equal(install.length, 1, "exactly one install");
  assert.equal((install[0] as string[]).at(-1), route.releaseTag);
  for (const arg of (install[0] as string[]).slice(0, -1)) assert.match(arg, /^[A-Za-z0-9._~:/=-]+$/);
}

// --- generators -----------------------------------------------------------

const nasty = fc.constantFrom("", " ", "$(id)", "`id`", "; rm -rf /", "a\nb: c", "'", '"', "#", "{}", "[x]", "&&", "|", "*", "\0", "é", "../..");
const anyScalar = fc.oneof(fc.string(), nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
/** Mostly a good value, sometimes a bad one: enough valid configs reach the renderer. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
const tagLike = mostly(
  fc.tuple(fc.nat(200), fc.nat(200), fc.nat(200)).map(([a, b, c]) => `v${a}.${b}.${c}`),
  fc.oneof(fc.string(), fc.tuple(fc.constantFrom("v0.0.73", "0.0.73", "v1.2"), nasty).map(([a, b]) => `${a}${b}`)),
);
const trackName = mostly(fc.constantFrom("stable", "canary"), fc.oneof(fc.constant("beta"), fc.string({ maxLength: 20 }), nasty));
const regionOf = (provider: (typeof PROVIDERS)[number]) =>
  mostly(fc.constantFrom(...PROVIDER_PROFILES[provider].regions), fc.oneof(fc.string({ maxLength: 20 }), nasty));
const count = mostly(fc.integer({ min: 0, max: MAX_ROUTES_PER_REGION_TRACK }), fc.oneof(fc.integer({ min: -2, max: 60 }), fc.constantFrom("1", "x", "1.5"), nasty));
const providerConfig = (provider: (typeof PROVIDERS)[number]) =>
  fc.record(
    {
      rollout: mostly(fc.constantFrom("replace", "hotswap"), fc.string()),
      regions: fc.dictionary(regionOf(provider), fc.dictionary(trackName, count, { minKeys: 1, maxKeys: 2 }), { minKeys: 1, maxKeys: 3 }),
      instanceType: mostly(fc.constant(PROVIDER_PROFILES[provider].defaultInstanceType), fc.oneof(fc.string(), nasty)),
      ...(provider === "oci" ? { compartmentId: mostly(fc.constant("ocid1.compartment.oc1..aaaafuzz"), fc.string()) } : {}),
    },
    { requiredKeys: ["rollout", "regions"] },
  );
const generatedConfig = fc.record({
  releaseTag: tagLike,
  releaseBaseUrl: mostly(fc.constant("https://releases.example.com/lantern"), fc.oneof(fc.webUrl(), fc.string(), nasty)),
  tracks: mostly(fc.constant({ stable: {} }), fc.dictionary(trackName, fc.record({ releaseTag: tagLike }, { requiredKeys: [] }), { maxKeys: 3 })).map(
    (tracks) => ({ canary: { releaseTag: "v0.0.74" }, ...tracks }),
  ),
  sshPublicKeys: mostly(fc.constant(["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFuzz fuzz@test"]), fc.array(fc.oneof(fc.string(), nasty), { maxLength: 2 })),
  image: fc.record({ caCertUrl: mostly(fc.constant("https://ops.example.com/ca.crt"), fc.oneof(fc.string(), nasty)) }),
  providers: fc.record({ linode: providerConfig("linode"), alicloud: providerConfig("alicloud"), oci: providerConfig("oci") }, { requiredKeys: [] }),
});

/** A random edit of one place in a copy of a config: replace, delete or add. */
type Path = (string | number)[];
function leafPaths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [prefix];
  const entries = Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => leafPaths(v, [...prefix, Array.isArray(value) ? Number(k) : k]))];
}
const mutation = fc.tuple(fc.nat(), fc.constantFrom("replace", "delete", "add"), anyScalar, fc.string({ maxLength: 12 }));
function mutate(raw: Record<string, unknown>, [pick, kind, value, key]: [number, string, unknown, string]): unknown {
  const copy = structuredClone(raw);
  const paths = leafPaths(copy).filter((p) => p.length > 0);
  const target = paths[pick % paths.length]!;
  const parent = target.slice(0, -1).reduce<any>((node, k) => node[k], copy);
  const last = target.at(-1)!;
  if (kind === "delete") delete parent[last];
  else if (kind === "add" && typeof parent === "object") parent[`${String(last)}${key}`] = value;
  else parent[last] = value;
  return copy;
}

// --- properties -------------------------------------------------------------

/** Every counterexample fuzzing has found, replayed on every run. */
const REGRESSIONS: readonly { readonly found: string; readonly edit: Record<string, unknown> }[] = [
  // seed 1559020446: the config accepted `~` in a URL path that the install script refused.
  { found: "seed 1559020446", edit: { releaseBaseUrl: "https://a.aa/~" } },
];

describe("fuzzing the config parser and renderer", () => {
  it("replays every counterexample found so far", () => {
    for (const { found, edit } of REGRESSIONS) {
      const cfg = parseOrProblems({ ...stagingRaw, ...edit });
      assert.ok(cfg, `${found}: still a valid config`);
      checkModel(cfg);
    }
  });

  it("generated configs: a valid model with clean user-data, or ConfigErrors with key paths", () => {
    let valid = 0;
    fc.assert(
      fc.property(generatedConfig, (raw) => {
        const cfg = parseOrProblems(raw);
        if (cfg) {
          valid++;
          checkModel(cfg);
        }
      }),
      { numRuns: 3000, seed },
    );
    assert.ok(valid > 300, `only ${valid} of 3000 generated configs were valid: the renderer is barely reached`);
  });

  it("mutations of the staging config (1 to 3 edits)", () => {
    assert.ok(parseFleetConfig(stagingRaw), "the unmutated config is valid");
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (edits) => {
        const raw = edits.reduce<unknown>((acc, edit) => mutate(acc as Record<string, unknown>, edit), stagingRaw);
        const cfg = parseOrProblems(raw);
        if (cfg) checkModel(cfg);
      }),
      { numRuns: 3000, seed },
    );
  });

  it("enormous fleets parse, and counts above the maximum are refused by key", () => {
    const everywhere = (n: number) =>
      Object.fromEntries(PROVIDER_PROFILES.linode.regions.map((region) => [region, { stable: n, canary: n }]));
    const big = parseFleetConfig({ ...stagingRaw, providers: { linode: { rollout: "hotswap", regions: everywhere(MAX_ROUTES_PER_REGION_TRACK) } } });
    assert.equal(routesOf(big).length, PROVIDER_PROFILES.linode.regions.length * 2 * MAX_ROUTES_PER_REGION_TRACK);
    checkModel(big);
    assert.throws(
      () => parseFleetConfig({ ...stagingRaw, providers: { linode: { rollout: "hotswap", regions: everywhere(MAX_ROUTES_PER_REGION_TRACK + 1) } } }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.path === "providers.linode.regions.us-lax.stable"),
    );
  });

  it("user-data over a provider's limit is a problem naming the route, before anything is declared", () => {
    const cfg = parseFleetConfig(stagingRaw);
    // Incompressible route config: 60 KB of base64 from a hash chain.
    const blob = Buffer.concat(Array.from({ length: 1400 }, (_, i) => createHash("sha256").update(String(i)).digest())).toString("base64");
    const routeConfig = JSON.stringify({ blob });
    const problems = userDataProblems(cfg, "staging", { ...SECRETS, routeConfig });
    assert.equal(problems.length, routesOf(cfg).length);
    for (const [i, route] of routesOf(cfg).entries()) assert.match(problems[i]!.message, new RegExp(`^route ${route.id}: user-data is \\d+ bytes`));
    assert.ok(encodeRouteUserData(routesOf(cfg)[0]!, "staging", cfg, SECRETS, KEY_STAND_INS).base64.length > 0);
  });
});
