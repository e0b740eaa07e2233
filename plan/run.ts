/**
 * The offline plan: runs the real program (index.ts) under the shared mocks
 * with a stack's config and records what `pulumi up` would be asked to
 * declare: every resource with its inputs and options, the stack outputs,
 * and each instance's user-data decoded back to text. Secrets are masked.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { decodeUserData } from "../components/cloud-init/encoding";
import { PROJECT } from "../stacks/stack";
import { encodedUserData } from "../components/routes/instances";
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
}

const SIG = pulumi.runtime.specialSigKey;
export const MASK = "[secret]";

/** Replaces secret values with "[secret]" and resource references with their URN. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SIG] === pulumi.runtime.specialSecretSig) return MASK;
  if (record[SIG] === pulumi.runtime.specialResourceSig) return record.urn;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
}

/** Values with secret wrappers removed; only for user-data, which the plan renders from placeholders. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SIG] === pulumi.runtime.specialSecretSig) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject(): unknown;
  getProvider(): string;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getHidediffsList(): string[];
}

function declaredOptions(req: RegisterRequest): Record<string, unknown> {
  const options: Record<string, unknown> = {
    provider: req.getProvider().split("::").slice(0, 4).join("::") || undefined,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
    protect: req.getProtect() || undefined,
    retainOnDelete: req.getRetainondelete() || undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    hideDiffs: req.getHidediffsList(),
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  );
}

export interface PlanOptions {
  readonly stack: string;
  /** Defaults to Pulumi.<stack>.yaml at the repository root. */
  readonly configFile?: string;
}

/** Runs the program once; a process can run one plan (the Pulumi runtime is global). */
export async function runPlan({ stack, configFile }: PlanOptions): Promise<Plan> {
  const { config, secretKeys } = readEngineConfig(configFile ?? path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);

  const resources: PlanResource[] = [];
  const userData: Record<string, string> = {};
  let outputs: Record<string, unknown> = {};
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): void;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, cb: (err: unknown) => void): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        const inputs = pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>;
        const encoded = encodedUserData(req.getType(), unwrapSecrets(inputs) as Record<string, unknown>);
        if (typeof encoded === "string") userData[req.getName()] = decodeUserData(encoded);
        resources.push({
          urn: res.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          inputs: maskSecrets(inputs) as Record<string, unknown>,
          options: declaredOptions(req),
        });
      }
      cb(err, res);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
      outputs = maskSecrets(pulumi.runtime.deserializeProperties(req.getOutputs() as never)) as Record<string, unknown>;
    }
    registerOutputs(req, cb);
  };

  // Like the Pulumi nodejs host: the program module's exports become the stack outputs.
  await pulumi.runtime.runInPulumiStack(() => Promise.resolve(require(path.join(REPO_ROOT, "index.ts")) as Record<string, unknown>));
  await pulumi.runtime.disconnect();
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  return { stack, resources, outputs, userData: Object.fromEntries(Object.entries(userData).sort()) };
}
