/**
 * Reads a Pulumi stack file the way the engine hands config to a program:
 * `project:key` -> string, objects as JSON text. Secrets are never read:
 * every secret key gets a masked placeholder, so the plan runs without them
 * and can never print one.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, type FleetConfig, parseFleetConfig, SECRET_KEYS, type SecretKey } from "../stacks/config";
import { PROJECT, rawStackConfig } from "../stacks/stack";
import { MASKED } from "./diff/values";

/**
 * Placeholders that pass the secrets' own validation and read as masked.
 * When the stack file holds the secret (encrypted), the placeholder carries
 * a fingerprint of its ciphertext, so a changed secret changes the plan (and
 * the routes it reaches show in the plan diff) while nothing of its value
 * does: the fingerprint is of the ciphertext, not the secret.
 */
export function secretPlaceholder(key: SecretKey, ciphertext?: string): string {
  const mark = ciphertext === undefined ? "" : createHash("sha256").update(ciphertext).digest("hex").slice(0, 12);
  switch (key) {
    case "tailscaleOauthClientSecret":
      return mark ? `[secret:tailscaleOauthClientSecret:${mark}]` : "[secret:tailscaleOauthClientSecret]";
    case "routeConfig":
      return JSON.stringify(mark ? { [MASKED]: "routeConfig", ciphertext: mark } : { [MASKED]: "routeConfig" });
  }
}

export interface EngineConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

const isSecure = (v: unknown): boolean => typeof v === "object" && v !== null && "secure" in v;

/** Nested `secure:` values become "[secret]"; reports whether any did. */
function maskSecure(value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: MASKED, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(maskSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, maskSecure(v)] as const);
    return { value: Object.fromEntries(entries.map(([k, m]) => [k, m.value])), secret: entries.some(([, m]) => m.secret) };
  }
  return { value, secret: false };
}

export function engineConfig(stackFileText: string, project = PROJECT): EngineConfig {
  let doc: { config?: Record<string, unknown> };
  try {
    // Duplicate keys (a region listed twice) are an error here, as in the Pulumi CLI.
    doc = (parse(stackFileText) ?? {}) as typeof doc;
  } catch (err) {
    throw new ConfigError([{ path: "(stack file)", message: (err as Error).message.split("\n")[0] ?? "invalid YAML" }]);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(doc.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    const { value, secret } = maskSecure(raw);
    config[fullKey] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    if (secret) secretKeys.push(fullKey);
  }
  for (const key of SECRET_KEYS) {
    const stored = doc.config?.[`${project}:${key}`] ?? doc.config?.[key];
    const ciphertext = isSecure(stored) ? String((stored as { secure: unknown }).secure) : undefined;
    config[`${project}:${key}`] = secretPlaceholder(key, ciphertext);
    secretKeys.push(`${project}:${key}`);
  }
  return { config, secretKeys: [...new Set(secretKeys)] };
}

/** A stack file's fleet config, validated as the program validates it (secrets left out). */
export function fleetConfigOfStackFile(stackFileText: string): FleetConfig {
  return parseFleetConfig(rawStackConfig(engineConfig(stackFileText).config));
}

export function readEngineConfig(path: string): EngineConfig {
  return engineConfig(readFileSync(path, "utf8"));
}

/** The placeholders of a stack file without the secrets in it (the committed stacks). */
export const SECRET_PLACEHOLDERS: Readonly<Record<SecretKey, string>> = {
  tailscaleOauthClientSecret: secretPlaceholder("tailscaleOauthClientSecret"),
  routeConfig: secretPlaceholder("routeConfig"),
};
