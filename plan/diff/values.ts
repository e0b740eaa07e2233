/**
 * Value helpers for the plan diff: canonical comparison, leaf-level
 * differences, option property paths, and short display values that never
 * print secrets or long base64.
 */

/** run.ts's MASK, repeated so the diff does not load the Pulumi runtime. */
export const MASKED = "[secret]";

/** A masked value: `[secret]`, or a placeholder that carries only a fingerprint (`[secret:name:abc123]`). */
export const isMasked = (v: unknown): boolean => typeof v === "string" && /^\[secret(:[^\]\s]*)?\]$/.test(v);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with sorted keys, so plans written with different key orders compare equal. */
export function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export const BASE64_RUN = /[A-Za-z0-9+/]{100,}={0,2}/g;
export const SECRET_LOOKING = /tskey-/i;

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** How a change shared by several routes' resources writes each one's route name. */
export const ROUTE_PLACEHOLDER = "<route>";

/** `text` with the route's name written `<route>`: whole names only (`<route>-hotswap`, not inside `...-stable-10`). */
export function withRoutePlaceholder(text: string, route: string): string {
  return text.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(route)}(?!\\w)`, "g"), ROUTE_PLACEHOLDER);
}

/**
 * A value for one line of the report: short, no long base64 (encoded
 * user-data is unreadable and may hide secrets). With `route`, that route's
 * name is written `<route>` before shortening, so the same change on many
 * routes' resources reads the same.
 */
export function show(v: unknown, route?: string): string {
  if (v === undefined) return "(none)";
  if (isMasked(v)) return v as string;
  const text = (typeof v === "string" ? JSON.stringify(v) : canon(v)).replace(BASE64_RUN, (m) => `[base64, ${m.length} chars]`);
  if (SECRET_LOOKING.test(text)) return "[hidden: looks like a secret]";
  const flat = (route === undefined ? text : withRoutePlaceholder(text, route)).replace(/`/g, "'");
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** For multi-line text (commands, scripts): the first line that differs on each side, so the change is visible. */
export function firstDifferingLines(old: string, neu: string): [string, string] {
  if (!old.includes("\n") && !neu.includes("\n")) return [old, neu];
  const [a, b] = [old.split("\n"), neu.split("\n")];
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i === -1 ? a.length : i;
  return [`line ${at + 1}: ${a[at] ?? ""}`, `${b[at] ?? ""}`];
}

export type PathChange = [path: string, old: unknown, neu: unknown];

/** Leaf-level differences: objects by key, equal-length arrays by index, anything else whole. */
export function changedPaths(old: unknown, neu: unknown, path = "", out: PathChange[] = []): PathChange[] {
  if (canon(old) === canon(neu)) return out;
  if (isRecord(old) && isRecord(neu)) {
    for (const k of [...new Set([...Object.keys(old), ...Object.keys(neu)])].sort()) {
      changedPaths(old[k], neu[k], path ? `${path}.${k}` : k, out);
    }
  } else if (Array.isArray(old) && Array.isArray(neu) && old.length === neu.length) {
    old.forEach((o, i) => changedPaths(o, neu[i], `${path}[${i}]`, out));
  } else {
    out.push([path, old, neu]);
  }
  return out;
}

const segments = (path: string) => path.split(/[.[\]]+/).filter(Boolean);

/**
 * Whether a property path (`*`, `metadatas`, `triggers[*]`, `metadatas[*].userData`)
 * covers a changed path: one is a prefix of the other (a whole-array change touches every element).
 */
export function covers(pattern: string, path: string): boolean {
  if (pattern === "*") return true;
  const [p, c] = [segments(pattern), segments(path)];
  return p.slice(0, c.length).every((seg, i) => seg === "*" || seg === c[i]);
}

/** The value at a dotted input path (`sourceDetails.sourceId`, `metadatas[0].userData`); undefined through a wildcard. */
export function valueAt(inputs: Readonly<Record<string, unknown>>, path: string): unknown {
  return segments(path).reduce<unknown>((at, key) => (key === "*" || !isRecord(at) && !Array.isArray(at) ? undefined : (at as Record<string, unknown>)[key]), inputs);
}

export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
