/**
 * Release waves in the resource graph. Every route's release command (and,
 * for `replace` routes, the instance whose replacement is the rollout)
 * depends on every release command of the wave before it, so a real
 * `pulumi up` starts a wave only once the previous one has verified; a
 * release that fails verification stops at the first wave that meets it
 * (the engine does not run a resource whose dependency failed).
 *
 * Commands are declared region by region, not wave by wave, so a later
 * wave's dependency is a promise the gate keeps until the earlier wave's
 * commands are all declared; `dependsOn` accepts such an input.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";

export class WaveGate {
  private readonly members: Map<number, Set<string>> = new Map();
  private readonly declared: Map<number, pulumi.Resource[]> = new Map();
  private readonly resolvers: Map<number, (commands: pulumi.Resource[]) => void> = new Map();
  private readonly settled: Map<number, Promise<pulumi.Resource[]>> = new Map();

  /** `waveOf`: each route's wave (stacks/config.ts releaseWaves). */
  constructor(private readonly waveOf: ReadonlyMap<string, number>) {
    for (const [id, wave] of waveOf) {
      if (!this.members.has(wave)) {
        this.members.set(wave, new Set());
        this.declared.set(wave, []);
        this.settled.set(wave, new Promise((resolve) => this.resolvers.set(wave, resolve)));
      }
      this.members.get(wave)!.add(id);
    }
  }

  wave(route: Route): number {
    const wave = this.waveOf.get(route.id);
    if (wave === undefined) throw new Error(`route ${route.id} has no release wave`);
    return wave;
  }

  /** The release commands of the wave before this route's (none for the first wave). */
  previous(route: Route): Promise<pulumi.Resource[]> {
    const wave = this.wave(route);
    return wave === 0 ? Promise.resolve([]) : this.settled.get(wave - 1)!;
  }

  /** Records a route's release command; a wave settles once all of its routes' commands are declared. */
  declare(route: Route, command: pulumi.Resource): void {
    const wave = this.wave(route);
    const pending = this.members.get(wave)!;
    if (!pending.delete(route.id)) throw new Error(`route ${route.id} declared its release command twice`);
    this.declared.get(wave)!.push(command);
    if (pending.size === 0) this.resolvers.get(wave)!(this.declared.get(wave)!);
  }

  /** Every route declared its command: no wave can wait forever. */
  assertComplete(): void {
    const missing = [...this.members.values()].flatMap((ids) => [...ids]);
    if (missing.length > 0) throw new Error(`release commands never declared for: ${missing.join(", ")}`);
  }
}
