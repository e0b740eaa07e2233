/** Reading a saved `--json` plan (the base branch's) for `--against`. */
import { z } from "zod";
import type { Plan } from "../run";

const planSchema = z.object({
  stack: z.string(),
  resources: z.array(
    z.object({
      urn: z.string(),
      type: z.string(),
      name: z.string(),
      parent: z.string().default(""),
      inputs: z.record(z.string(), z.unknown()).default({}),
      options: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
  outputs: z.record(z.string(), z.unknown()).default({}),
  userData: z.record(z.string(), z.string()).default({}),
  secretDigests: z.record(z.string(), z.string()).default({}),
});

/** Parses a saved `--json` plan; throws an Error naming what is wrong. */
export function parsePlan(text: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const result = planSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`not a plan: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}
