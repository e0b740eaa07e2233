import type * as pulumi from "@pulumi/pulumi";

/** The recipe's inputs (image/provision.sh's LANTERN_* parameters); never a release. */
export interface RecipeParameters {
  readonly caCertUrl: string;
  readonly otlpEndpoint: string;
}

/** An OpenSSH key pair made by the program (tls.PrivateKey); the private half is a Pulumi secret. */
export interface SshKeyPair {
  readonly publicKeyOpenssh: pulumi.Input<string>;
  readonly privateKeyOpenssh: pulumi.Input<string>;
}

/** What every provider's base-image component needs. */
export interface BaseImageArgs {
  readonly stack: string;
  /** Hash of the image recipe (recipeHash()). */
  readonly recipe: string;
  /** config `image.rebuild`: a new value forces a rebuild. */
  readonly rebuild?: string;
  readonly parameters: RecipeParameters;
  /** Regions the image must reach: every region that runs a route. */
  readonly regions: readonly string[];
  /** Builders accept only this login key. */
  readonly builderKey: SshKeyPair;
}

/** Image id per region. */
export type ImageIds = Readonly<Record<string, pulumi.Output<string>>>;
