/**
 * Release waves in the resource graph. Every route's release command (and,
 * for `replace` routes, the instance whose replacement is the rollout)
 * depends on the last command of every route of the wave before it (its
 * tailnet join, which follows its release), so a real `pulumi up` starts a
 * wave only once the previous one has verified, and a change to what the
 * join runs reaches routes wave by wave too; a release that fails
 * verification stops at the first wave that meets it (the engine does not
 * run a resource whose dependency failed).
 *
 * Commands are declared region by region, not wave by wave, so a later
 * wave's dependencies are promises the gate keeps as the earlier wave's
 * commands are declared; `dependsOn` accepts such inputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";

export class WaveGate {
  /** Each wave's routes, in release order. */
  private readonly members: Map<number, string[]> = new Map();
  /** Per route, its last command once declared. */
  private readonly commands: Map<string, { readonly declared: Promise<pulumi.Resource>; resolve?: (command: pulumi.Resource) => void }> = new Map();

  /** `waveOf`: each route's wave (stacks/config.ts releaseWaves). */
  constructor(private readonly waveOf: ReadonlyMap<string, number>) {
    for (const [id, wave] of waveOf) {
      if (!this.members.has(wave)) this.members.set(wave, []);
      this.members.get(wave)!.push(id);
      let resolve!: (command: pulumi.Resource) => void;
      const declared = new Promise<pulumi.Resource>((r) => (resolve = r));
      this.commands.set(id, { declared, resolve });
    }
  }

  wave(route: Route): number {
    const wave = this.waveOf.get(route.id);
    if (wave === undefined) throw new Error(`route ${route.id} has no release wave`);
    return wave;
  }

  /**
   * The last commands of the wave before this route's (none for the
   * first wave), each a promise kept once its route declares it. A list of
   * promises, not a promise of the list: the SDK wraps a promised `dependsOn`
   * in an Output and walks its whole value, every resource of the wave, for
   * unknowns, once per dependent resource (@pulumi/pulumi resource.ts
   * mergeOptions/merge, output.ts containsUnknowns); a list it only copies.
   */
  previous(route: Route): Promise<pulumi.Resource>[] {
    const wave = this.wave(route);
    return wave === 0 ? [] : this.members.get(wave - 1)!.map((id) => this.commands.get(id)!.declared);
  }

  /** Records a route's last command, which settles its place in the next wave's dependencies. */
  declare(route: Route, command: pulumi.Resource): void {
    this.wave(route);
    const entry = this.commands.get(route.id)!;
    if (!entry.resolve) throw new Error(`route ${route.id} declared its last command twice`);
    entry.resolve(command);
    entry.resolve = undefined;
  }

  /** Every route declared its last command: no wave can wait forever. */
  assertComplete(): void {
    const missing = [...this.members.values()].flatMap((ids) => ids.filter((id) => this.commands.get(id)!.resolve));
    if (missing.length > 0) throw new Error(`last commands never declared for: ${missing.join(", ")}`);
  }
}
