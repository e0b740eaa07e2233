/**
 * Per-provider user-data encoding against the size limits in
 * stacks/catalog.ts. cloud-init unpacks gzip itself, so a document is
 * gzipped only when plain base64 would not fit.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { type ProviderName, USER_DATA_LIMITS } from "../../stacks/catalog";

export interface EncodedUserData {
  readonly base64: string;
  readonly gzipped: boolean;
  /** Bytes counted against the provider's limit. */
  readonly countedBytes: number;
}

export class UserDataTooLargeError extends Error {
  constructor(routeId: string, provider: ProviderName, countedBytes: number, headroom: number) {
    const limit = USER_DATA_LIMITS[provider];
    super(
      `route ${routeId}: user-data is ${countedBytes} bytes (${limit.counts}, gzipped)` +
        `${headroom > 0 ? ` plus ${headroom} bytes of headroom for the generated keys` : ""}, ` +
        `over the ${provider} limit of ${limit.bytes} bytes`,
    );
    this.name = "UserDataTooLargeError";
  }
}

/**
 * Encodes a rendered document for one route. `otherMetadataBytes` is what
 * else shares the provider's limit (OCI: the instance's other metadata);
 * `gzipHeadroom` is kept free when the document is gzipped (a check made
 * with stand-in keys, whose gzipped size differs from the real keys' by a
 * few bytes).
 */
export function encodeUserData(
  routeId: string,
  provider: ProviderName,
  text: string,
  otherMetadataBytes = 0,
  gzipHeadroom = 0,
): EncodedUserData {
  const count = (payload: Buffer, base64: string): number =>
    provider === "alicloud" ? payload.length : base64.length + otherMetadataBytes;
  const plain = Buffer.from(text, "utf8");
  const plainBase64 = plain.toString("base64");
  if (count(plain, plainBase64) <= USER_DATA_LIMITS[provider].bytes) {
    return { base64: plainBase64, gzipped: false, countedBytes: count(plain, plainBase64) };
  }
  // Node writes a zero mtime, so the same text always gives the same bytes.
  const gzipped = gzipSync(plain, { level: 9 });
  const gzBase64 = gzipped.toString("base64");
  const countedBytes = count(gzipped, gzBase64);
  if (countedBytes + gzipHeadroom > USER_DATA_LIMITS[provider].bytes) {
    throw new UserDataTooLargeError(routeId, provider, countedBytes, gzipHeadroom);
  }
  return { base64: gzBase64, gzipped: true, countedBytes };
}

/** The inverse, for plans and reviews: base64 (maybe gzip) back to text. */
export function decodeUserData(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  const isGzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (isGzip ? gunzipSync(bytes) : bytes).toString("utf8");
}
