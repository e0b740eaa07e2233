/**
 * The stack's typed configuration: one schema, parsed and validated once,
 * before any resource is declared. Everything downstream trusts the
 * FleetConfig it returns. Pure: no Pulumi resources, no I/O.
 */
import { z } from "zod";
import { type Arch, PROVIDERS, PROVIDER_PROFILES, type ProviderName } from "./catalog";
import { HTTPS_URL, RELEASE_TAG } from "./patterns";

/** A track whose routes follow every rebuilt base image. */
export const NEWEST_IMAGE = "newest";
/** A track whose running routes keep the image they run, while its new routes start from the newest build. */
export const HELD_IMAGE = "hold";

export const DEFAULT_RELEASE_BASE_URL = "https://github.com/getlantern/lantern-box/releases/download";

/** Config keys that hold secrets: read with requireSecret, never parsed here. */
export const SECRET_KEYS = ["tailscaleOauthClientSecret", "routeConfig"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

// Values that reach a shell, an env file or YAML are matched strictly, never
// escaped (tags and URLs: stacks/patterns.ts, shared with the install script).
export const TRACK_NAME = /^[a-z][a-z0-9]{0,15}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( [A-Za-z0-9@._-]+)?$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;
const INSTANCE_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OCID = /^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
// Tailscale's own rule for an ACL tag (CheckTag in tailcfg/tailcfg.go, tailscale/tailscale):
// `tag:`, then a letter, then letters, digits or dashes.
const TAILSCALE_TAG = /^tag:[A-Za-z][A-Za-z0-9-]{0,62}$/;
// An OAuth client's id as the admin console shows it (letters and digits); never a secret.
const TAILSCALE_CLIENT_ID = /^[A-Za-z0-9]{4,64}$/;
// Stock image ids as each provider spells them: a Linode public image slug, an
// ECS image id (e.g. ubuntu_24_04_x64_20G_alibase_20250722.vhd), an OCI image OCID.
const LINODE_IMAGE = /^linode\/[a-z0-9.]{1,40}$/;
const ALICLOUD_IMAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,127}$/;
const OCI_IMAGE_OCID = /^ocid1\.image\.oc1\.[a-z0-9-]*\.[a-z0-9]+$/;
// Built base images as each provider names them: a Linode private image
// (private/<number>), an ECS custom image (m-...), an OCI image OCID.
const LINODE_PRIVATE_IMAGE = /^private\/[0-9]{1,12}$/;
const ALICLOUD_CUSTOM_IMAGE = /^m-[a-z0-9]{8,40}$/;
// ECS zone ids are the region id plus a letter (ap-southeast-1a, cn-hangzhou-h).
const ALICLOUD_ZONE = /^[a-z0-9-]+[a-z]$/;

export const MAX_ROUTES_PER_REGION_TRACK = 50;
/** Bounds of `tailscale.keyExpirySeconds`: a first boot's few minutes, up to a week (a retried `pulumi up` after a weekend). */
export const MIN_TAILSCALE_KEY_EXPIRY_SECONDS = 600;
export const MAX_TAILSCALE_KEY_EXPIRY_SECONDS = 604800;

const SSH_SOURCES = "the deploy runner's egress CIDRs (builds and hot-swaps connect from it) and the operators'";
const ANYWHERE_REFUSED = `a /0 source (anywhere) is refused: list ${SSH_SOURCES}`;

/** How a release bump reaches a provider's running routes (components/release). */
export const ROLLOUT_STRATEGIES = ["replace", "hotswap"] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/** What a secret's value must look like; returns the problem, if any. Never echoes the value. */
export function secretProblem(key: SecretKey, value: string): string | undefined {
  switch (key) {
    case "tailscaleOauthClientSecret": {
      if (!/^[\x21-\x7e]{1,200}$/.test(value)) return "expected one printable token without spaces";
      // Tailscale names a credential's kind in its prefix (tailscale.com/kb/1277/key-prefixes): the
      // program creates each route's one-off key with an OAuth client (tskey-client-); an auth key
      // cannot create keys, and an API access token expires and carries its user's every permission.
      const kind = /^tskey-(auth|api|scim|webhook)-/.exec(value)?.[1];
      return kind ? `expected an OAuth client secret (tskey-client-...) with the auth_keys scope, not a tskey-${kind} credential` : undefined;
    }
    case "routeConfig":
      return isJsonObject(value) ? undefined : "expected the lantern-box config.json text: a JSON object";
  }
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

const isRegionOf = (provider: ProviderName, region: string) => PROVIDER_PROFILES[provider].regions.includes(region);
/** A region of `provider` (stacks/catalog.ts), for keys that are printed into shell commands too (npm run roll-images). */
const regionOf = (provider: ProviderName) =>
  z.string().refine((region) => isRegionOf(provider, region), `expected one of the ${provider} regions in stacks/catalog.ts`);

/**
 * A track's base images: "hold" (running routes keep theirs, new routes boot
 * the newest build), "newest" (every route follows each new build), or one
 * built image per provider (per region where ids differ).
 */
export const trackImage = z.union(
  [
    z.literal(HELD_IMAGE),
    z.literal(NEWEST_IMAGE),
    z.strictObject({
      /** Linode private images are global (replicated to every route region). */
      linode: z.string().regex(LINODE_PRIVATE_IMAGE, "expected a Linode private image id like private/12345").optional(),
      /** ECS image ids differ per region (the copies). */
      alicloud: z.record(regionOf("alicloud"), z.string().regex(ALICLOUD_CUSTOM_IMAGE, "expected an ECS custom image id like m-t4nbn0abcdefgh")).default({}),
      /** OCI builds one image per region. */
      oci: z.record(regionOf("oci"), z.string().regex(OCI_IMAGE_OCID, "expected an OCI image OCID (ocid1.image.oc1...)")).default({}),
    }),
  ],
  { error: `expected "${HELD_IMAGE}", "${NEWEST_IMAGE}" or the track's image ids per provider (pulumi stack output images)` },
);
export type TrackImage = z.output<typeof trackImage>;

const sha256 = z.string().regex(SHA256, "expected a sha256 digest: 64 lowercase hex digits");
const releaseTag = z.string().regex(RELEASE_TAG, "expected a release tag like v0.0.73 (v<major>.<minor>.<patch>)");
const httpsUrl = z
  .string()
  .regex(HTTPS_URL, "expected an https:// URL without query, fragment, credentials or trailing slash");
/** `pulumi config set --path` stores numbers as strings; accept both, nothing else. */
const intLike = (min: number, max: number) => {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z
    .union([z.int(), z.string().regex(/^\d{1,6}$/).transform(Number)], { error: expected })
    .pipe(z.int().min(min, expected).max(max, expected));
};
const port = intLike(1, 65535);
/** A list whose items must differ: each becomes its own resource (a firewall rule by port or CIDR), named by its value. */
const distinct = <T extends z.ZodType<string | number>>(items: z.ZodArray<T>, what: string) =>
  items.superRefine((values, ctx) => {
    for (const value of new Set(values.filter((v, i) => values.indexOf(v) !== i))) {
      ctx.addIssue({ code: "custom", message: `expected each ${what} once; ${value} is listed more than once` });
    }
  });

const tracksSchema = z.record(
  z.string().regex(TRACK_NAME, "expected a track name: a lowercase letter, then up to 15 lowercase letters or digits"),
  z.strictObject({ releaseTag: releaseTag.optional() }),
);

/** Routes per track in one region, e.g. `{ stable: 2, canary: 1 }`. */
const regionRoutesSchema = z.record(
  z.string().regex(TRACK_NAME, "expected a track name"),
  intLike(0, MAX_ROUTES_PER_REGION_TRACK),
);

const providerFields = {
  rollout: z.enum(ROLLOUT_STRATEGIES, "expected the rollout strategy: replace or hotswap"),
  instanceType: z.string().regex(INSTANCE_TYPE, "expected an instance type name").optional(),
  regions: z.record(z.string(), regionRoutesSchema),
};

const buildRegion = { buildRegion: z.string().optional() };

const providersSchema = z.strictObject({
  linode: z.strictObject({ ...providerFields, ...buildRegion }).optional(),
  alicloud: z
    .strictObject({
      ...providerFields,
      ...buildRegion,
      /** The zone of each region's vSwitch, pinned (a "first zone offering the type" lookup can change between runs). */
      zones: z.record(z.string(), z.string().regex(ALICLOUD_ZONE, "expected an ECS zone id like ap-southeast-1a")).default({}),
    })
    .optional(),
  oci: z
    .strictObject({
      ...providerFields,
      compartmentId: z.string().regex(OCID, "expected a compartment or tenancy OCID"),
      ocpus: intLike(1, 4).default(1),
      memoryInGbs: intLike(1, 24).default(1),
    })
    // A flexible shape's memory is at least 1 GB per OCPU (docs.oracle.com/iaas/Content/Compute/References/
    // computeshapes.htm, "Flexible Shapes"); the provider sends any pair and LaunchInstance refuses it.
    .refine((oci) => oci.memoryInGbs >= oci.ocpus, { path: ["memoryInGbs"], message: "expected at least 1 GB per OCPU (memoryInGbs >= ocpus)" })
    .optional(),
});

export const fleetConfigSchema = z.strictObject({
    releaseTag,
    releaseBaseUrl: httpsUrl.default(DEFAULT_RELEASE_BASE_URL),
    /** Seconds a new release must run, unrestarted, before it counts as verified (install-lantern-box.sh). */
    releaseSoakSeconds: intLike(5, 600).default(30),
    /** Pinned .deb hashes by tag and architecture, checked on top of the release's checksum file. */
    releaseChecksums: z
      .record(releaseTag, z.strictObject({ amd64: sha256.optional(), arm64: sha256.optional() }))
      .default({}),
    tracks: tracksSchema,
    /**
     * Tailscale: each route joins with its own one-off key, created by the program with an
     * OAuth client (components/tailscale). The client id and tags are required before deploying
     * (deployProblems); the client secret is the secret key tailscaleOauthClientSecret.
     */
    tailscale: z
      .strictObject({
        loginServer: httpsUrl.default("https://controlplane.tailscale.com"),
        oauthClientId: z.string().regex(TAILSCALE_CLIENT_ID, "expected the OAuth client's id: 4 to 64 letters or digits").optional(),
        /** Tags every route's key gives its node; the OAuth client must own them (tagOwners). */
        tags: z
          .array(z.string().regex(TAILSCALE_TAG, "expected a Tailscale tag: tag: then a letter, then letters, digits or dashes (e.g. tag:lantern-route)"))
          .min(1, "expected at least one tag: a key made by an OAuth client must tag its nodes")
          .optional(),
        /** How long an unused key stays valid: it must outlast the wait from its creation to its instance's first boot. */
        keyExpirySeconds: intLike(MIN_TAILSCALE_KEY_EXPIRY_SECONDS, MAX_TAILSCALE_KEY_EXPIRY_SECONDS).default(86400),
      })
      .prefault({}),
    otel: z
      .strictObject({
        endpoint: httpsUrl.default("https://ops.lantr.net:443"),
        serviceName: z
          .string()
          .regex(SERVICE_NAME, "expected a service name: a lowercase letter, then up to 62 lowercase letters, digits or hyphens")
          .default("vps-proxy"),
      })
      .prefault({}),
    sshPublicKeys: z
      .array(z.string().regex(SSH_PUBLIC_KEY, "expected an OpenSSH public key line (type, base64, optional comment)"))
      .min(1),
    ingress: z
      .strictObject({
        tcp: distinct(z.array(port), "port").default([443]),
        udp: distinct(z.array(port), "port").default([443]),
        /**
         * Who may reach SSH on routes and image builders: the deploy runner's egress (builds and
         * hot-swaps connect from it) and the operators'. Required before deploying (deployProblems).
         */
        sshSourceCidrs: distinct(
          z
            .array(
              z
                .string()
                .regex(IPV4_CIDR, "expected an IPv4 CIDR")
                .refine((cidr) => !cidr.endsWith("/0"), ANYWHERE_REFUSED),
            )
            .min(1),
          "CIDR",
        ).optional(),
      })
      .prefault({}),
    /** Inputs of the image recipe (never a release: images are release-agnostic). */
    image: z.strictObject({
      caCertUrl: httpsUrl,
      /** Any new value forces a rebuild of every base image (it is hashed into the image name). */
      rebuild: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, "expected a short label: letters, digits, dot, dash, underscore").optional(),
      /**
       * The stock images builders start from, pinned: never "the most recent", which changes
       * between runs. scripts/propose-pins.ts looks up the newest and prints new pins.
       */
      stockImages: z
        .strictObject({
          linode: z.string().regex(LINODE_IMAGE, "expected a Linode public image id like linode/ubuntu24.04").optional(),
          /** ECS image ids differ per region; only the build region's is used. */
          alicloud: z.record(z.string(), z.string().regex(ALICLOUD_IMAGE_ID, "expected an ECS image id")).default({}),
          /** OCI image OCIDs differ per region; every OCI route region builds its own image. */
          oci: z.record(z.string(), z.string().regex(OCI_IMAGE_OCID, "expected an OCI image OCID (ocid1.image.oc1...)")).default({}),
        })
        .prefault({}),
      /**
       * The base images each track's routes run: `newest` (every rebuild reaches them, in
       * waves) or the ids of an earlier build, as `pulumi stack output images` printed them,
       * until an operator rolls the track on (README "Rolling images").
       */
      tracks: z.record(z.string().regex(TRACK_NAME, "expected a track name"), trackImage).default({}),
    }),
    providers: providersSchema,
    /**
     * Release waves: the `first` tracks' routes, then every other route in
     * batches of `size`; a wave starts only after the previous one verified.
     */
    waves: z
      .strictObject({
        size: intLike(1, 1000).default(10),
        first: z.array(z.string().regex(TRACK_NAME, "expected a track name")).optional(),
      })
      .prefault({}),
  });

/** Any plain object, its values unread: the shape a rule needs of a section whose values may be invalid. */
const anyRecord = z.record(z.string(), z.unknown());

/** A part of the config parsed on its own, or undefined when it does not parse (the schema reports it). */
function parsedPart<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * Rules across keys: regions must exist, routes must name defined tracks, the fleet is not empty.
 * Each reads only the part it needs, parsed on its own, so a bad value beside it (another field of
 * the provider, another region's counts, a track's releaseTag) hides none of them; a rule whose part
 * does not parse is left to the schema's problem there. `tracks` are the defined tracks, when `tracks`
 * is an object at all (a track with a bad value is still defined).
 */
function crossCheck(rawProviders: unknown, tracks: Readonly<Record<string, unknown>> | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const providers = parsedPart(anyRecord, rawProviders);
  if (!providers) return problems;
  const sections = Object.fromEntries(PROVIDERS.map((p) => [p, parsedPart(anyRecord, providers[p])] as const));
  for (const provider of PROVIDERS) {
    for (const [region, routes] of Object.entries(parsedPart(anyRecord, sections[provider]?.regions) ?? {})) {
      const regionPath = `providers.${provider}.regions.${region}`;
      if (!isRegionOf(provider, region)) {
        problems.push({ path: regionPath, message: `unknown ${provider} region "${region}"` });
      }
      if (!tracks) continue;
      // A key that is no track name has the schema's problem already.
      const named = Object.keys(parsedPart(anyRecord, routes) ?? {}).filter((track) => TRACK_NAME.test(track));
      for (const track of named.filter((t) => !Object.hasOwn(tracks, t))) {
        const defined = Object.keys(tracks).join(", ") || "none";
        problems.push({ path: `${regionPath}.${track}`, message: `track "${track}" is not defined under tracks (defined: ${defined})` });
      }
    }
  }
  for (const provider of ["linode", "alicloud"] as const) {
    const build = parsedPart(z.string(), sections[provider]?.buildRegion);
    if (build !== undefined && !isRegionOf(provider, build)) {
      problems.push({ path: `providers.${provider}.buildRegion`, message: `unknown ${provider} region "${build}"` });
    }
  }
  // The fleet's size is known only when every provider is a known one and every route count parsed.
  const counts: { [P in ProviderName]?: RouteCounts[P] } = {};
  let sized = Object.keys(providers).every((key) => (PROVIDERS as readonly string[]).includes(key));
  for (const provider of PROVIDERS.filter((p) => providers[p] !== undefined)) {
    const regions = parsedPart(providerFields.regions, sections[provider]?.regions);
    if (regions) counts[provider] = { regions };
    else sized = false;
  }
  if (sized && routePlacesOf(counts).length === 0) {
    problems.push({ path: "providers", message: "the fleet has no routes: give at least one region a route count above 0" });
  }
  return problems;
}

/** `waves.first` names defined tracks (when `waves` parsed and `tracks` is an object). */
function waveProblems(rawWaves: unknown, tracks: Readonly<Record<string, unknown>> | undefined): ConfigProblem[] {
  if (!tracks) return [];
  return [...(parsedPart(fleetConfigSchema.shape.waves, rawWaves)?.first ?? []).entries()]
    .filter(([, track]) => !Object.hasOwn(tracks, track))
    .map(([i, track]) => ({ path: `waves.first.${i}`, message: `track "${track}" is not defined under tracks` }));
}

export type FleetConfig = z.output<typeof fleetConfigSchema>;

export interface ConfigProblem {
  /** Dotted config key path, e.g. `tracks.canary.releaseTag`. */
  readonly path: string;
  readonly message: string;
}

/** The message for invalid config: every problem on its own line, key path first. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  return `invalid stack config:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`;
}

/** Thrown for invalid stack config; carries every problem, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(describeProblems(problems));
    this.name = "ConfigError";
  }
}

/**
 * The sections deployProblems reads, each one present only when it parsed on its own (a section that
 * did not has the schema's problems already). A FleetConfig has them all.
 */
export interface DeployParts {
  readonly ingress?: FleetConfig["ingress"];
  readonly tailscale?: FleetConfig["tailscale"];
  readonly image?: FleetConfig["image"];
  /** Present only when the cross-key rules passed too: every region exists and every route's track is defined. */
  readonly providers?: FleetConfig["providers"];
  /** The defined tracks: only their names are read. */
  readonly tracks?: Readonly<Record<string, unknown>>;
}

export interface FleetConfigCheck {
  /** The config, when it has no problem. */
  readonly config?: FleetConfig;
  /** Every problem: the schema's and the cross-key rules', each with its key path. */
  readonly problems: readonly ConfigProblem[];
  /** What deployProblems can decide from, valid or not: the whole config when valid. */
  readonly deployParts: DeployParts;
}

/** Validates raw stack config (keys without the project prefix), collecting every problem. */
export function checkFleetConfig(raw: unknown): FleetConfigCheck {
  const result = fleetConfigSchema.safeParse(raw);
  const problems = result.success ? [] : issueProblems(result.error);
  // Cross-key rules read only the parts they need: reported alongside the schema's problems, not after them.
  const fields = parsedPart(anyRecord, raw) ?? {};
  const tracks = parsedPart(anyRecord, fields.tracks);
  const crossKey = crossCheck(fields.providers, tracks);
  problems.push(...crossKey, ...waveProblems(fields.waves, tracks));
  const config = result.success && problems.length === 0 ? result.data : undefined;
  // Each section parsed on its own: the whole schema has no rule across sections, so a valid config's are its own.
  const { shape } = fleetConfigSchema;
  const deployParts: DeployParts = {
    ingress: parsedPart(shape.ingress, fields.ingress),
    tailscale: parsedPart(shape.tailscale, fields.tailscale),
    image: parsedPart(shape.image, fields.image),
    providers: crossKey.length === 0 ? parsedPart(shape.providers, fields.providers) : undefined,
    tracks,
  };
  return { config, problems, deployParts };
}

/** Validates raw stack config (keys without the project prefix). Throws ConfigError. */
export function parseFleetConfig(raw: unknown): FleetConfig {
  const { config, problems } = checkFleetConfig(raw);
  if (!config) throw new ConfigError(problems);
  return config;
}

/** A schema's issues as problems: each names its key path and what was expected there. */
export function issueProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap(toProblems);
}

function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path.map(String);
  // A value shaped for one branch of a union (image ids, not "hold" or "newest"): that branch says what is wrong inside it.
  if (issue.code === "invalid_union") {
    const shaped = issue.errors.filter((branch) => branch.some((inner) => inner.path.length > 0));
    if (shaped.length === 1) return shaped[0]!.flatMap((inner) => toProblems({ ...inner, path: [...issue.path, ...inner.path] }));
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "unknown key" }));
  }
  // A record key's own schema says what it expected; zod reports only "Invalid key in record" around it.
  if (issue.code === "invalid_key") {
    return issue.issues.map((inner) => ({ path: path.join("."), message: inner.message }));
  }
  return [{ path: path.join(".") || "(root)", message: issue.message }];
}

/** The tracks whose routes form the first wave: `waves.first`, else `canary` when that track exists. */
export function firstWaveTracks(cfg: Pick<FleetConfig, "waves" | "tracks">): readonly string[] {
  return cfg.waves.first ?? (Object.hasOwn(cfg.tracks, "canary") ? ["canary"] : []);
}

/**
 * Each route's release wave (0 first): the first-wave tracks' routes, then
 * the others in fleet order, `waves.size` at a time.
 */
export function releaseWaves(routes: readonly Route[], cfg: Pick<FleetConfig, "waves" | "tracks">): Map<string, number> {
  const first = new Set(firstWaveTracks(cfg));
  const lead = routes.filter((r) => first.has(r.track));
  const rest = routes.filter((r) => !first.has(r.track));
  const offset = lead.length > 0 ? 1 : 0;
  return new Map([
    ...lead.map((r) => [r.id, 0] as const),
    ...rest.map((r, i) => [r.id, offset + Math.floor(i / cfg.waves.size)] as const),
  ]);
}

export interface Route {
  /** Stable identity: `<provider>-<region>-<track>-<n>`; becomes `route.id` and the resource names. */
  readonly id: string;
  readonly provider: ProviderName;
  readonly region: string;
  readonly track: string;
  readonly arch: Arch;
  readonly instanceType: string;
  /** How a release bump reaches this route. */
  readonly rollout: RolloutStrategy;
  /** The release this route runs: its track's override, else the stack default. */
  readonly releaseTag: string;
  /** Pinned sha256 of this route's .deb, when the config pins one. */
  readonly debSha256?: string;
}

export function instanceTypeOf(cfg: Pick<FleetConfig, "providers">, provider: ProviderName): string {
  return cfg.providers[provider]?.instanceType ?? PROVIDER_PROFILES[provider].defaultInstanceType;
}

export function releaseTagFor(cfg: Pick<FleetConfig, "releaseTag" | "tracks">, track: string): string {
  return cfg.tracks[track]?.releaseTag ?? cfg.releaseTag;
}

/**
 * Every route of the fleet, in config order. A route's id depends only on its
 * own provider, region, track and number, so adding regions or routes never
 * renames existing ones; lowering a count removes the highest numbers.
 */
export function routesOf(cfg: Pick<FleetConfig, "releaseTag" | "tracks" | "providers"> & Partial<Pick<FleetConfig, "releaseChecksums">>): Route[] {
  return routePlacesOf(cfg.providers).map(({ provider, region, track, n }): Route => {
    const profile = PROVIDER_PROFILES[provider];
    const tag = releaseTagFor(cfg, track);
    const debSha256 = cfg.releaseChecksums?.[tag]?.[profile.arch];
    return {
      id: `${provider}-${region}-${track}-${n}`,
      provider,
      region,
      track,
      arch: profile.arch,
      instanceType: instanceTypeOf(cfg, provider),
      rollout: cfg.providers[provider]!.rollout,
      releaseTag: tag,
      ...(debSha256 ? { debSha256 } : {}),
    };
  });
}

/** Each provider's route counts per region and track: all that decides which routes exist. */
type RouteCounts = { readonly [P in ProviderName]?: { readonly regions: Readonly<Record<string, Readonly<Record<string, number>>>> } };

/** Where each route runs, in config order: provider, region, track and its number there (from 1). */
function routePlacesOf(providers: RouteCounts): { provider: ProviderName; region: string; track: string; n: number }[] {
  return PROVIDERS.flatMap((provider) =>
    Object.entries(providers[provider]?.regions ?? {}).flatMap(([region, counts]) =>
      Object.entries(counts).flatMap(([track, count]) => Array.from({ length: count }, (_, i) => ({ provider, region, track, n: i + 1 }))),
    ),
  );
}

/** Where a provider's single image build runs (Linode, alicloud). */
export function buildRegionOf(cfg: Pick<FleetConfig, "providers">, provider: "linode" | "alicloud"): string {
  return cfg.providers[provider]?.buildRegion ?? PROVIDER_PROFILES[provider].defaultBuildRegion ?? "";
}

/** Regions a provider builds or runs in: its route regions plus, for a single-build provider, the build region. */
export function regionsOf(cfg: Pick<FleetConfig, "providers">, provider: ProviderName): string[] {
  const routeRegions = Object.keys(cfg.providers[provider]?.regions ?? {});
  return provider === "oci" ? routeRegions : [...new Set([buildRegionOf(cfg, provider), ...routeRegions])];
}

const PROPOSE_PINS = "run `npm run --silent propose-pins -- --stack <stack>` and commit the pins it prints";

/**
 * What a deploy needs beyond a valid config: the SSH sources (no default: the
 * old default was anywhere), and a pinned stock image (and alicloud zone) for
 * every region that builds or launches. The program refuses to declare
 * anything without them; parseFleetConfig alone stays usable for configs
 * that only render user-data. Each rule reads only the sections it needs, so
 * for an invalid config (checkFleetConfig's deployParts) the rules whose
 * sections parsed are still decided, alongside the config's own problems.
 */
export function deployProblems(parts: DeployParts): ConfigProblem[] {
  const { ingress, tailscale, image, providers } = parts;
  const problems: ConfigProblem[] = [];
  if (ingress && !ingress.sshSourceCidrs) {
    problems.push({ path: "ingress.sshSourceCidrs", message: `required: list ${SSH_SOURCES}; 0.0.0.0/0 is refused` });
  }
  if (tailscale && !tailscale.oauthClientId) {
    problems.push({ path: "tailscale.oauthClientId", message: "required: the id of the OAuth client (auth_keys scope) that creates each route's one-off key" });
  }
  if (tailscale && !tailscale.tags) {
    problems.push({ path: "tailscale.tags", message: "required: at least one tag (e.g. tag:lantern-route) that the OAuth client owns" });
  }
  if (providers) problems.push(...pinProblems(providers, image?.stockImages));
  return [...problems, ...trackImageProblems(parts)];
}

/** The stock image pins (when `image` parsed: `pins`) and alicloud zones that the providers' regions need. */
function pinProblems(providers: FleetConfig["providers"], pins: FleetConfig["image"]["stockImages"] | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (pins && providers.linode && !pins.linode) {
    problems.push({ path: "image.stockImages.linode", message: `missing: the stock image Linode builders start from; ${PROPOSE_PINS}` });
  }
  if (providers.alicloud) {
    const build = buildRegionOf({ providers }, "alicloud");
    if (pins && !pins.alicloud[build]) {
      problems.push({ path: `image.stockImages.alicloud.${build}`, message: `missing: the stock image of the alicloud build region; ${PROPOSE_PINS}` });
    }
    for (const region of regionsOf({ providers }, "alicloud").filter((r) => !providers.alicloud?.zones[r])) {
      problems.push({ path: `providers.alicloud.zones.${region}`, message: `missing: the zone of the ${region} vSwitch; ${PROPOSE_PINS}` });
    }
    // The region id, then one letter (with a hyphen where the region id ends in a letter):
    // the letter also picks the vSwitch's block (components/alicloud/network.ts vswitchCidrOf).
    const inRegion = (region: string, zone: string) => zone.startsWith(region) && /^-?[a-z]$/.test(zone.slice(region.length));
    for (const [region, zone] of Object.entries(providers.alicloud.zones).filter(([r, z]) => !inRegion(r, z))) {
      problems.push({ path: `providers.alicloud.zones.${region}`, message: `zone ${zone} is not in region ${region}: expected ${region} and a zone letter, like ${region}${/[a-z]$/.test(region) ? "-" : ""}a` });
    }
  }
  for (const region of pins && providers.oci ? regionsOf({ providers }, "oci").filter((r) => !pins.oci[r]) : []) {
    problems.push({ path: `image.stockImages.oci.${region}`, message: `missing: the stock image OCI builders in ${region} start from; ${PROPOSE_PINS}` });
  }
  return problems;
}

/**
 * Every track with routes says which base images they run (a rebuild never
 * moves a route by default), and a pinned track names an image for each of
 * its providers and regions. Needs `image` and the defined tracks; the routes'
 * rules need `providers` too.
 */
function trackImageProblems({ image, tracks, providers }: DeployParts): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!image || !tracks) return problems;
  for (const track of Object.keys(image.tracks).filter((t) => !Object.hasOwn(tracks, t))) {
    problems.push({ path: `image.tracks.${track}`, message: `track "${track}" is not defined under tracks` });
  }
  const seen = new Set<string>();
  for (const route of routePlacesOf(providers ?? {})) {
    const path = imagePinPath(route);
    if (seen.has(path)) continue;
    seen.add(path);
    const imageOfTrack = image.tracks[route.track];
    if (imageOfTrack === undefined) {
      problems.push({
        path: `image.tracks.${route.track}`,
        message: `missing: the base images ${route.track} routes run: "${HELD_IMAGE}", "${NEWEST_IMAGE}" or the ids \`pulumi stack output images\` printed (README "Rolling images")`,
      });
    } else if (typeof imageOfTrack === "object" && pinnedImageOf(imageOfTrack, route) === undefined) {
      problems.push({ path, message: `missing: the ${route.provider} image ${route.track} routes in ${route.region} run` });
    }
  }
  return problems;
}

/** Where a route's pinned image lives in config (Linode ids are global). */
function imagePinPath(route: Pick<Route, "provider" | "region" | "track">): string {
  const base = `image.tracks.${route.track}.${route.provider}`;
  return route.provider === "linode" ? base : `${base}.${route.region}`;
}

function pinnedImageOf(image: Exclude<TrackImage, string>, route: Pick<Route, "provider" | "region">): string | undefined {
  return route.provider === "linode" ? image.linode : image[route.provider][route.region];
}

/** A route's track image: its pinned id, `hold` or `newest` (for both, a new route boots the current build; a held one then keeps it: components/fleet.ts routeImage). */
export function routeImageOf(cfg: Pick<FleetConfig, "image">, route: Pick<Route, "provider" | "region" | "track">): string {
  const image = required(cfg.image.tracks[route.track], `image.tracks.${route.track}`);
  return typeof image === "string" ? image : required(pinnedImageOf(image, route), imagePinPath(route));
}

/** Reads a value deployProblems() guarantees; a miss is a program error (loadStack checks first). */
function required<T>(value: T | undefined, path: string): T {
  if (value === undefined) throw new ConfigError([{ path, message: "missing (deployProblems should have reported it)" }]);
  return value;
}

/** The OAuth client and tags that make each route's Tailscale key (loadStack checked them). */
export function tailscaleKeyConfigOf(cfg: Pick<FleetConfig, "tailscale">): { oauthClientId: string; tags: readonly string[]; expirySeconds: number } {
  return {
    oauthClientId: required(cfg.tailscale.oauthClientId, "tailscale.oauthClientId"),
    tags: required(cfg.tailscale.tags, "tailscale.tags"),
    expirySeconds: cfg.tailscale.keyExpirySeconds,
  };
}

export function sshSourceCidrsOf(cfg: Pick<FleetConfig, "ingress">): readonly string[] {
  return required(cfg.ingress.sshSourceCidrs, "ingress.sshSourceCidrs");
}

/** The pinned stock image a provider's builder starts from in a region (Linode ids are global). */
export function stockImageOf(cfg: Pick<FleetConfig, "image">, provider: ProviderName, region: string): string {
  const pins = cfg.image.stockImages;
  return provider === "linode"
    ? required(pins.linode, "image.stockImages.linode")
    : required(pins[provider][region], `image.stockImages.${provider}.${region}`);
}

export function alicloudZoneOf(cfg: Pick<FleetConfig, "providers">, region: string): string {
  return required(cfg.providers.alicloud?.zones[region], `providers.alicloud.zones.${region}`);
}
