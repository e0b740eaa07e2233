/**
 * The lantern-fleet policy pack: the rules of rules.ts, each mandatory.
 *
 * How the Pulumi CLI loads this folder (`pulumi preview --policy-pack policy`):
 * the nodejs language host resolves `@pulumi/pulumi/cmd/run-policy-pack` with
 * `require.resolve` from this folder, which walks up to the repository's own
 * node_modules; that runner compiles index.ts with ts-node (typescript and
 * ts-node resolved next to that @pulumi/pulumi, i.e. the repository's pinned
 * ones) using ./tsconfig.json, and `new PolicyPack` reads the version from
 * ./package.json. So the root `npm ci` is the whole install: this folder has
 * no dependencies, node_modules or lockfile of its own, and @pulumi/policy is
 * a root devDependency. That also keeps one @pulumi/pulumi in the process (a
 * second copy breaks `instanceof` checks across the SDK).
 *
 * Do not import this file from tests: constructing the PolicyPack starts its
 * gRPC server. Tests call the rules directly.
 */
import { PolicyPack, UnknownValueError, type ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_CONFIG, type PolicyConfig, RULES, UNKNOWN, userDataOf } from "./rules";

/**
 * A plain copy of the inputs with `UNKNOWN` where the engine does not know a
 * value yet (preview). The SDK's props throw on reading an unknown, which
 * would turn the whole policy into an advisory "can't run during preview";
 * this way a rule still checks everything that is known.
 */
function known(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const read = (key: string | number): unknown => {
    try {
      return known((value as Record<string | number, unknown>)[key]);
    } catch (e) {
      if (e instanceof UnknownValueError) return UNKNOWN;
      throw e;
    }
  };
  if (Array.isArray(value)) return value.map((_, i) => read(i));
  return Object.fromEntries(Object.keys(value).map((key) => [key, read(key)]));
}

const PORT_LIST = { type: "array", items: { type: "integer", minimum: 1, maximum: 65535 } } as const;

function policy(rule: (typeof RULES)[number]): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    // The defaults below apply unless a run passes its own (`--policy-pack-config <file>`, e.g.
    // {"only-configured-ports": {"allowedTcpPorts": [22, 443, 8443]}}); the workflows pass none.
    ...(rule.name === "only-configured-ports" && {
      configSchema: {
        properties: {
          allowedTcpPorts: { ...PORT_LIST, default: [...DEFAULT_CONFIG.allowedTcpPorts] },
          allowedUdpPorts: { ...PORT_LIST, default: [...DEFAULT_CONFIG.allowedUdpPorts] },
        },
      },
    }),
    validateResource: (args, reportViolation) => {
      const props = known(args.props) as Record<string, unknown>;
      // Defaults again here: the engine fills in the configSchema defaults before it
      // configures the pack (pulumi/pulumi pkg/resource/analyzer/config.go,
      // createConfigWithDefaults, from ReconcilePolicyPackConfig in pkg/engine/update.go),
      // and the tests run the rules without the engine.
      const config: PolicyConfig = { ...DEFAULT_CONFIG, ...args.getConfig<Partial<PolicyConfig>>() };
      // User-data is a secret: policies see its value when known, and UNKNOWN (so nothing to check) during preview.
      const subject = { type: args.type, name: args.name, props, userData: userDataOf(args.type, props), secretOutputs: args.opts.additionalSecretOutputs, ignoreChanges: args.opts.ignoreChanges };
      for (const message of rule.check(subject, config)) reportViolation(message);
    },
  };
}

new PolicyPack("lantern-fleet", { enforcementLevel: "mandatory", policies: RULES.map(policy) });
