import { createHash } from "node:crypto";

/** Hex sha256 of a text; short prefixes name things by content. */
export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A provider-side name that fits `maxLength`: the name itself when it fits,
 * else a prefix plus a hash of the whole, so distinct names stay distinct.
 */
export function physicalName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = sha256Hex(name).slice(0, 8);
  return `${name.slice(0, maxLength - hash.length - 1).replace(/[-_.]+$/, "")}-${hash}`;
}

/** The Stash that keeps the image a route of a `hold` track boots (components/fleet.ts routeImage). */
export const heldImageName = (routeId: string): string => `${routeId}-held-image`;
