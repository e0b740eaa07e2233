/**
 * The size of a resource's inputs as the program sends them to the engine
 * (the mocks receive them with secrets in clear): the lengths of every key
 * and string, numbers and booleans as printed. A walk, not JSON.stringify,
 * so measuring costs the plan almost nothing.
 */
export function inputBytes(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (typeof value === "number" || typeof value === "boolean") return String(value).length;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + inputBytes(v), 0);
  if (typeof value !== "object" || value === null) return 0;
  return Object.entries(value).reduce((sum, [k, v]) => sum + k.length + inputBytes(v), 0);
}

/**
 * How many values a resource's inputs hold as the program sends them: every
 * string, number and boolean, and every object key (the engine's protobuf
 * Struct serializes each as its own field: what serializing costs grows with
 * it as much as with bytes).
 */
export function inputValues(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + inputValues(v), 0);
  if (typeof value === "object" && value !== null) return Object.values(value).reduce((sum: number, v) => sum + 1 + inputValues(v), 0);
  return value === undefined || value === null ? 0 : 1;
}
