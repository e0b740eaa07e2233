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
