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

/**
 * One buffer that every document's bytes are written into, in turn. A
 * Buffer made from a string of 4 KiB or more gets an ArrayBuffer of its own
 * outside V8's heap (nodejs/node lib/buffer.js, fromStringFast: below
 * `Buffer.poolSize >>> 1` it is cut from a shared pool), and V8 counts those
 * bytes as external memory: 64 MiB above its low point since the last full
 * collection starts another (V8 src/heap/heap.h, ExternalMemoryAccounting
 * soft_limit; include/v8-internal.h, kExternalAllocationSoftLimit).
 * A plan makes two documents of about 23 kB per route (the size check and
 * the render) and decodes one; at 3,000 routes that started a full
 * collection of a 3 GB heap (`node --trace-incremental-marking`: "Start
 * (external memory pressure)"; README "Numbers"). Views of it never leave
 * this module: each caller copies out (a string, gzip's own buffer) before
 * the next write.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** `text`'s bytes in `encoding`, as a view of `scratch` valid until the next call. */
function scratchBytes(text: string, encoding: "utf8" | "base64"): Buffer {
  const length = Buffer.byteLength(text, encoding);
  if (scratch.length < length) scratch = Buffer.allocUnsafe(length);
  return scratch.subarray(0, scratch.write(text, 0, length, encoding));
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
  const plain = scratchBytes(text, "utf8");
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
  const bytes = scratchBytes(base64, "base64");
  const isGzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (isGzip ? gunzipSync(bytes) : bytes).toString("utf8");
}
