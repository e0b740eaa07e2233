/**
 * One Output from several, with one Output per input. `pulumi.all`, and
 * `pulumi.output` of an object holding Outputs, wrap each Output they are
 * given in two more, a copy and an apply, so that Outputs of other copies of
 * the SDK work too (@pulumi/pulumi output.ts, outputRec). Per route that was
 * about half the Outputs the program added to the SDK's own, and a large
 * fleet holds them all at once while it registers (README "Numbers").
 *
 * Nested applies give the same value, secrecy and resources as `pulumi.all`
 * whenever the inputs are known (`apply` lifts an Output its callback
 * returns: output.ts, applyHelperAsync), which they always are in `pulumi
 * up`. In a preview the result is unknown as soon as one input is, and then
 * carries the secrecy and resources of that input and the ones before it
 * only: callers put a secret first, and the inputs a preview may not know
 * last. Where Outputs are few and not per route (an image's builder, the
 * stack outputs), `pulumi.all` stays: its preview keeps every input's
 * resources.
 */
import type * as pulumi from "@pulumi/pulumi";

type Outputs<T extends readonly unknown[]> = { readonly [K in keyof T]: pulumi.Output<T[K]> };

export function combine<T extends readonly unknown[], U>(outputs: Outputs<T>, render: (values: T) => pulumi.Input<U>): pulumi.Output<U> {
  if (outputs.length === 0) throw new Error("combine: expected at least one Output");
  const step = (i: number, values: readonly unknown[]): pulumi.Output<U> =>
    (outputs[i] as pulumi.Output<unknown>).apply((value): pulumi.Input<U> => {
      const next = [...values, value];
      return i + 1 === outputs.length ? render(next as unknown as T) : step(i + 1, next);
    }) as pulumi.Output<U>;
  return step(0, []);
}
