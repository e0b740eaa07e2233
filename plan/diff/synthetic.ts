/** Test helpers: small hand-written plans for what real plan runs cannot produce. */
import type { Plan, PlanResource } from "../run";

export const URN = "urn:pulumi:staging::lantern-fleet::";

export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource {
  return { urn: `${URN}${type}::${name}`, type, name, parent: "", inputs, options: {}, ...extra };
}

export const plan = (resources: PlanResource[], extra: Partial<Plan> = {}): Plan => ({ stack: "staging", resources, outputs: {}, userData: {}, secretDigests: {}, ...extra });

export const EMPTY: Plan = plan([]);
