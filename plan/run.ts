/**
 * The offline plan: runs the real program (index.ts) under the shared mocks
 * with a stack's config and records what `pulumi up` would be asked to
 * declare: every resource with its inputs and options, the stack outputs,
 * and each instance's user-data decoded back to text. Secrets are masked.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { decodeUserData } from "../components/cloud-init/encoding";
import { PROJECT } from "../stacks/stack";
import { encodedUserData, USER_DATA_INPUT } from "../stacks/catalog";
import { MASKED } from "./diff/values";
import { mocks } from "./mocks";
import { readEngineConfig } from "./stack-file";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly inputs: Record<string, unknown>;
  /** Resource options the program declares (only those it sets). */
  readonly options: Record<string, unknown>;
}

export interface Plan {
  readonly stack: string;
  readonly resources: PlanResource[];
  readonly outputs: Record<string, unknown>;
  /** Decoded cloud-config text per instance resource name. */
  readonly userData: Record<string, string>;
  /**
   * Per `<resource name>.<input>` masked as [secret], a fingerprint of its
   * value, so the diff can tell a changed secret input (a config push's
   * payload) from an unchanged one. The plan never holds a real secret (it
   * renders from placeholders: plan/stack-file.ts), so nothing leaks.
   */
  readonly secretDigests: Record<string, string>;
}

const SIG = pulumi.runtime.specialSigKey;
/** How the plan shows a secret (one definition, in the diff that reads it). */
export const MASK = MASKED;

/** A local path as reviewers read it: relative to the repository, keeping a trailing slash (it changes what CopyToRemote copies). */
export function repoPath(file: string): string {
  const relative = path.relative(REPO_ROOT, file) || ".";
  return file.endsWith("/") && !relative.endsWith("/") ? `${relative}/` : relative;
}

/** An asset or archive (serialized form) as `{ fileArchive: "image" }`, `{ stringAsset: "..." }` and so on. */
function assetOrArchive(record: Record<string, unknown>, kind: "Asset" | "Archive"): Record<string, unknown> {
  if (typeof record.path === "string") return { [`file${kind}`]: repoPath(record.path) };
  if (typeof record.uri === "string") return { [`remote${kind}`]: record.uri };
  if (typeof record.text === "string") return { stringAsset: record.text };
  return { assetArchive: maskSecrets(record.assets ?? {}) };
}

/**
 * Values as the plan shows them (serialized form, as the engine receives it):
 * secrets become "[secret]", resource references their URN, assets and
 * archives their repository-relative source.
 */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SIG] === pulumi.runtime.specialSecretSig) return MASK;
  if (record[SIG] === pulumi.runtime.specialResourceSig) return record.urn;
  if (record[SIG] === pulumi.runtime.specialAssetSig) return assetOrArchive(record, "Asset");
  if (record[SIG] === pulumi.runtime.specialArchiveSig) return assetOrArchive(record, "Archive");
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
}

/**
 * The connection fields `@pulumi/command` marks secret (pulumi/pulumi-command,
 * provider/pkg/provider/remote/connection.go, `provider:"secret"` tags). The
 * SDK wraps the whole connection in a secret; the plan shows the rest (host,
 * user, port, hostKey, dial settings) so reviewers can check them.
 */
export const CONNECTION_SECRET_FIELDS: readonly string[] = ["password", "privateKey", "privateKeyPassword"];

/** A command resource's connection with only its secret fields masked (also in `proxy`). */
export function revealConnection(connection: unknown): unknown {
  const value = unwrapSecret(connection);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return maskSecrets(value);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      CONNECTION_SECRET_FIELDS.includes(k) ? MASK : k === "proxy" ? revealConnection(v) : maskSecrets(v),
    ]),
  );
}

function unwrapSecret(value: unknown): unknown {
  const record = value as Record<string, unknown> | null;
  return typeof record === "object" && record !== null && record[SIG] === pulumi.runtime.specialSecretSig ? record.value : value;
}

const isSecret = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG] === pulumi.runtime.specialSecretSig;

/**
 * Makes a list or object that holds a secret anywhere a secret as a whole,
 * as the SDK's deserializeProperties does (@pulumi/pulumi runtime/rpc.ts),
 * so the plan masks what `pulumi preview` shows as [secret].
 */
function hoistSecrets(value: unknown): unknown {
  if (typeof value !== "object" || value === null || isSecret(value)) return value;
  const record = value as Record<string, unknown>;
  if (!Array.isArray(value) && typeof record[SIG] === "string") return value; // assets, archives, resource references
  const children = Array.isArray(value) ? value.map(hoistSecrets) : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, hoistSecrets(v)]));
  const anySecret = (Array.isArray(children) ? children : Object.values(children)).some(isSecret);
  return anySecret ? { [SIG]: pulumi.runtime.specialSecretSig, value: children } : children;
}

/** A resource's inputs as the plan shows them. */
function displayInputs(type: string, raw: Record<string, unknown>): Record<string, unknown> {
  const shown = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, maskSecrets(hoistSecrets(v))]));
  if (type.startsWith("command:remote:") && raw.connection !== undefined) shown.connection = revealConnection(raw.connection);
  return shown;
}

/** The package of a type token (`command:remote:Command` -> command) or of a provider reference's type. */
const packageOfType = (type: string): string => (type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0]!);

/**
 * A custom resource given a provider of another package. The Node.js SDK
 * sends a custom resource's `provider` option whatever its package
 * (@pulumi/pulumi runtime/resource.ts, prepareResource: `sendProvider =
 * custom`; only remote components are filtered), the engine uses a given
 * provider reference as is (pulumi/pulumi pkg/resource/deploy/source_eval.go,
 * getProviderReference), and that provider then fails the resource: bridged
 * providers answer "unrecognized resource type (Check): <type>"
 * (pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go, Provider.Check).
 */
export function crossPackageProvider(type: string, name: string, providerRef: string): string | undefined {
  if (providerRef === "" || type.startsWith("pulumi:providers:")) return undefined;
  const providerUrn = providerRef.split("::").slice(0, 4).join("::");
  const providerType = providerUrn.split("::")[2]?.split("$").pop() ?? "";
  const providerPackage = packageOfType(providerType);
  if (providerPackage === packageOfType(type)) return undefined;
  return (
    `resource ${name} (${type}) is given the ${providerPackage} provider ${providerUrn.split("::").pop()}: ` +
    `the engine would send it to that provider, which fails with "unrecognized resource type"; ` +
    `give it a ${packageOfType(type)} provider or none (the default)`
  );
}

/** Characters JSON.stringify escapes in a string (quote, backslash, controls; surrogates, in case one is lone). */
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A short digest of a value rendered from placeholders (key order ignored):
 * the SHA-256 of its JSON with sorted keys, fed to the hash piece by piece,
 * so a document-sized secret (user-data, a config push) is never copied
 * into one more string.
 */
function fingerprint(value: unknown): string {
  const hash = createHash("sha256");
  const write = (v: unknown): void => {
    if (Array.isArray(v)) {
      hash.update("[");
      v.forEach((item, i) => {
        if (i > 0) hash.update(",");
        write(item);
      });
      hash.update("]");
    } else if (typeof v === "object" && v !== null) {
      hash.update("{");
      Object.keys(v)
        .sort()
        .forEach((key, i) => {
          hash.update(`${i > 0 ? "," : ""}${JSON.stringify(key)}:`);
          write((v as Record<string, unknown>)[key]);
        });
      hash.update("}");
    } else if (typeof v === "string" && !NEEDS_JSON_ESCAPE.test(v)) {
      hash.update('"').update(v).update('"');
    } else {
      hash.update(JSON.stringify(v) ?? "null");
    }
  };
  write(value);
  return hash.digest("hex").slice(0, 16);
}

/** Values with secret wrappers removed; only for values the plan renders from placeholders (user-data, digests). */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SIG] === pulumi.runtime.specialSecretSig) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

interface Struct {
  toJavaScript(): Record<string, unknown>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct | undefined;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getReplaceWithList(): string[];
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getDeletedwith(): string;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getCustomtimeouts(): { toObject(): Record<string, string> } | undefined;
  getAdditionalsecretoutputsList(): string[];
  getHidediffsList(): string[];
  getHooks(): { getBeforeCreateList(): string[] } | undefined;
}

/**
 * The explicit dependencies the engine receives: the request's dependencies
 * (dependsOn, expanded over components, replaceWith, and every input's
 * dependencies; @pulumi/pulumi runtime/resource.ts, prepareResource) minus those that come
 * from inputs. A resource that is both an input's and an explicit dependency
 * shows only through the input.
 */
function explicitDependencies(req: RegisterRequest): string[] {
  const fromInputs = new Set<string>();
  req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((urn) => fromInputs.add(urn)));
  return [...new Set(req.getDependenciesList())].filter((urn) => !fromInputs.has(urn)).sort();
}

function declaredOptions(req: RegisterRequest): Record<string, unknown> {
  const trigger = req.getReplacementTrigger()?.toJavaScript();
  const timeouts = Object.entries(req.getCustomtimeouts()?.toObject() ?? {}).filter(([, v]) => v !== "");
  const options: Record<string, unknown> = {
    provider: req.getProvider().split("::").slice(0, 4).join("::") || undefined,
    dependsOn: explicitDependencies(req),
    replaceWith: req.getReplaceWithList(),
    replacementTrigger: trigger === undefined || trigger === null ? undefined : maskSecrets(trigger),
    deletedWith: req.getDeletedwith() || undefined,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
    protect: req.getProtect() || undefined,
    retainOnDelete: req.getRetainondelete() || undefined,
    customTimeouts: timeouts.length > 0 ? Object.fromEntries(timeouts) : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    hideDiffs: req.getHidediffsList(),
    // By name: what the engine receives (the hook itself runs in the program, never in a preview).
    hooksBeforeCreate: req.getHooks()?.getBeforeCreateList(),
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  );
}

export interface PlanOptions {
  readonly stack: string;
  /** Defaults to Pulumi.<stack>.yaml at the repository root. */
  readonly configFile?: string;
  /** The program module; index.ts unless a test plans a fixture. */
  readonly program?: string;
  /**
   * Format stacks as they were formatted when the plan started, as the
   * Pulumi host runs the program (bench/host-load.js), not withCheapStackTraces.
   */
  readonly hostStackTraces?: boolean;
}

/**
 * Runs `work` with cheap stack traces: an error's stack is its own line
 * only, never frames, in place of the source-map mapping ts-node installs
 * (@cspotcode/source-map-support). The SDK formats a stack for every
 * resource (@pulumi/pulumi resource.ts, Resource.callsites: `new
 * Error().stack` with its own infinite `Error.stackTraceLimit`, for source
 * positions the mocks drop) and keeps one on every output promise
 * (runtime/debuggable.ts, debuggablePromise: `_debugStackTrace`, read only
 * by its leak report); mapped and kept, they were two thirds of the plan's
 * time and a sixth of its memory. Errors the plan reports are their
 * messages, never positions.
 */
async function withCheapStackTraces(work: () => Promise<void>): Promise<void> {
  const errors = Error as { prepareStackTrace?: unknown; stackTraceLimit: number };
  const [mapped, limit] = [errors.prepareStackTrace, errors.stackTraceLimit];
  // Only the error's own line, whatever frame limit a caller sets (the SDK sets its own).
  errors.prepareStackTrace = (error: Error) => Error.prototype.toString.call(error);
  errors.stackTraceLimit = 0;
  try {
    await work();
  } finally {
    errors.prepareStackTrace = mapped;
    errors.stackTraceLimit = limit;
  }
}

/** Runs the program once; a process can run one plan (the Pulumi runtime is global). */
export async function runPlan({ stack, configFile, program = path.join(REPO_ROOT, "index.ts"), hostStackTraces = false }: PlanOptions): Promise<Plan> {
  const { config, secretKeys } = readEngineConfig(configFile ?? path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);

  const resources: PlanResource[] = [];
  const refused: string[] = [];
  const userData: Record<string, string> = {};
  const secretDigests: Record<string, string> = {};
  let outputs: Record<string, unknown> = {};
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): void;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, cb: (err: unknown) => void): void;
  };
  const register = monitor.registerResource.bind(monitor);
  // The engine refuses a second resource with a URN it has seen (pulumi/pulumi
  // pkg/resource/deploy/step_generator.go, with sdk/go/common/diag/errors.go's message); the mocks do not.
  const urns = new Set<string>();
  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        if (urns.has(res.getUrn())) refused.push(`Duplicate resource URN '${res.getUrn()}'; try giving it a unique name`);
        urns.add(res.getUrn());
        const raw = req.getObject()?.toJavaScript() ?? {};
        // Only instances carry user-data: unwrapping copies the inputs, so only theirs are.
        const encoded = req.getType() in USER_DATA_INPUT ? encodedUserData(req.getType(), unwrapSecrets(raw) as Record<string, unknown>) : undefined;
        if (typeof encoded === "string") userData[req.getName()] = decodeUserData(encoded);
        const problem = req.getCustom() ? crossPackageProvider(req.getType(), req.getName(), req.getProvider()) : undefined;
        if (problem) refused.push(problem);
        const inputs = displayInputs(req.getType(), raw);
        for (const [key, shown] of Object.entries(inputs)) {
          if (shown === MASK) secretDigests[`${req.getName()}.${key}`] = fingerprint(unwrapSecrets(raw[key]));
        }
        resources.push({ urn: res.getUrn(), type: req.getType(), name: req.getName(), parent: req.getParent(), inputs, options: declaredOptions(req) });
      }
      cb(err, res);
    });
  // The SDK's mock monitor cannot register resource hooks. The engine records each by its name,
  // refusing an empty or taken one, and answers nothing else (pulumi/pulumi
  // pkg/resource/deploy/source_eval.go, RegisterResourceHook; resource_hooks.go). It runs them
  // only around real steps, never in a preview unless asked (onDryRun): a plan runs none.
  const hookNames = new Set<string>();
  (monitor as unknown as { registerResourceHook(req: { getName(): string }, cb: (err: Error | null, res?: object) => void): void }).registerResourceHook = (req, cb) => {
    const name = req.getName();
    if (name === "" || hookNames.has(name)) return cb(new Error(name === "" ? "resource hook name cannot be empty" : `resource hook already registered for name "${name}"`));
    hookNames.add(name);
    cb(null, {});
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
      outputs = maskSecrets((req.getOutputs() as Struct | undefined)?.toJavaScript() ?? {}) as Record<string, unknown>;
    }
    registerOutputs(req, cb);
  };

  // Like the Pulumi nodejs host: the program module's exports become the stack outputs.
  const runProgram = async () => {
    await pulumi.runtime.runInPulumiStack(() => Promise.resolve(require(program) as Record<string, unknown>));
    await pulumi.runtime.disconnect();
  };
  await (hostStackTraces ? runProgram() : withCheapStackTraces(runProgram));
  if (refused.length > 0) throw new Error(`the engine would refuse ${refused.length} resource(s):\n  ${refused.join("\n  ")}`);
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  // By key alone: a sort without a comparator would join every [key, document] pair into one string per comparison.
  const sorted = (record: Record<string, string>) => Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]!]));
  return { stack, resources, outputs, userData: sorted(userData), secretDigests: sorted(secretDigests) };
}
