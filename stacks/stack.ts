/**
 * Reads the running stack's config from the Pulumi runtime and validates it
 * (plain keys through the schema, secret keys as Pulumi secrets). Called once
 * by index.ts before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  checkFleetConfig,
  type ConfigProblem,
  describeProblems,
  deployProblems,
  type FleetConfig,
  SECRET_KEYS,
  type SecretKey,
  secretProblem,
} from "./config";

export const PROJECT = "lantern-fleet";

export type FleetSecrets = Readonly<Record<SecretKey, pulumi.Output<string>>>;

export interface StackSettings {
  readonly stack: string;
  readonly config: FleetConfig;
  readonly secrets: FleetSecrets;
}

/**
 * Turns the engine's config map (`project:key` -> string; objects arrive as
 * JSON text) into the raw object the schema parses. Other namespaces (provider
 * settings such as `oci:region`) and secret keys are left out.
 */
export function rawStackConfig(all: Readonly<Record<string, string>>, project = PROJECT): Record<string, unknown> {
  const prefix = `${project}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if ((SECRET_KEYS as readonly string[]).includes(key)) continue;
    raw[key] = /^\s*[[{]/.test(value) ? parseJson(value) : value;
  }
  return raw;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // the schema reports it with its key path
  }
}

/**
 * A check of the whole validated config with the secrets' plain values, run
 * once everything else passes. index.ts passes the user-data size check,
 * which lives with the renderer (components/cloud-init): config sits below
 * components and does not import them.
 */
export type SettingsCheck = (config: FleetConfig, stack: string, secrets: Readonly<Record<SecretKey, string>>) => ConfigProblem[];

/** Validates everything, collecting every problem, then returns or throws StackConfigError. */
export function loadStack(checkRendered: SettingsCheck = () => []): StackSettings {
  const { config, problems: configProblems, deployParts } = checkFleetConfig(rawStackConfig(pulumi.runtime.allConfig()));
  const problems: ConfigProblem[] = [...configProblems];
  const cfg = new pulumi.Config(PROJECT);
  const secrets = {} as Record<SecretKey, pulumi.Output<string>>;
  const plain = {} as Record<SecretKey, string>;
  for (const key of SECRET_KEYS) {
    const value = cfg.get(key) ?? "";
    const problem = value === "" ? `missing: set it with \`pulumi config set --secret ${key} <value>\`` : secretProblem(key, value);
    if (problem) problems.push({ path: key, message: problem });
    plain[key] = value;
    if (value !== "") secrets[key] = cfg.requireSecret(key);
  }
  const stack = pulumi.getStack();
  // What a deploy needs, decided from every section that parsed (all of them when the config is
  // valid): reported with the config's other problems, not only once those are fixed.
  problems.push(...deployProblems(deployParts));
  // Sizes depend on the secrets too: check every route's user-data before declaring anything.
  if (problems.length === 0 && config) problems.push(...checkRendered(config, stack, plain));
  if (problems.length > 0 || config === undefined) throw new StackConfigError(problems);
  return { stack, config, secrets };
}

/** A RunError, so `pulumi up` prints the problems without a stack trace. */
export class StackConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(describeProblems(problems));
  }
}
