// `--strip`: a browser ruleset should not carry authoring detail. Rule names fall back to Cerbos's
// positional defaults (rule-NNN), import names (derived-role sets, exported variables/constants)
// become opaque, and descriptions and annotations go. Expression sources are dropped separately
// (CompileOptions.stripSources). What stays is what decisions and responses need: kinds, actions,
// roles, derived-role names (effectiveDerivedRoles), scopes, versions and policy keys.
import type { Policy, PolicyBody } from "../model.ts";

export function stripNames(policies: Policy[]): Policy[] {
  const maps = { derivedRoles: new Map<string, string>(), exportVariables: new Map<string, string>(), exportConstants: new Map<string, string>() };
  const prefix = { derivedRoles: "dr", exportVariables: "vars", exportConstants: "consts" } as const;
  for (const p of policies) {
    const b = p.body;
    if (b.kind === "derivedRoles" || b.kind === "exportVariables" || b.kind === "exportConstants") {
      const m = maps[b.kind];
      if (!m.has(b.name)) m.set(b.name, `${prefix[b.kind]}_${m.size + 1}`);
    }
  }
  // Unknown imports keep their name: linking reports them exactly as for the unstripped set.
  const rn = (m: Map<string, string>, n: string): string => m.get(n) ?? n;
  const imports = <T extends { name: string }>(m: Map<string, string>, xs: T[]): T[] => xs.map((x) => ({ ...x, name: rn(m, x.name) }));
  return policies.map((p) => {
    const b = p.body as PolicyBody;
    let body: PolicyBody = b;
    const withBlocks = <T extends PolicyBody & { constants: { imports: Array<{ name: string }> }; variables: { imports: Array<{ name: string }> } }>(x: T): T => ({
      ...x,
      constants: { ...x.constants, imports: imports(maps.exportConstants, x.constants.imports) },
      variables: { ...x.variables, imports: imports(maps.exportVariables, x.variables.imports) },
    });
    switch (b.kind) {
      case "resource":
        body = withBlocks({
          ...b,
          importDerivedRoles: imports(maps.derivedRoles, b.importDerivedRoles),
          rules: b.rules.map((r) => ({ ...r, name: undefined })),
        });
        break;
      case "principal":
        {
          // Not the default names: those embed the resource, and glob rules expanded by slicing would
          // then share a name (and with it a condition-cache key) with another rule of that kind.
          let k = 0;
          body = withBlocks({ ...b, rules: b.rules.map((r) => ({ ...r, actions: r.actions.map((a) => ({ ...a, name: `rule-${++k}` })) })) });
        }
        break;
      case "role":
        body = withBlocks({ ...b, rules: b.rules.map((r) => ({ ...r, name: undefined })) });
        break;
      case "derivedRoles":
        body = withBlocks({ ...b, name: rn(maps.derivedRoles, b.name) });
        break;
      case "exportVariables":
        body = { ...b, name: rn(maps.exportVariables, b.name) };
        break;
      case "exportConstants":
        body = { ...b, name: rn(maps.exportConstants, b.name) };
        break;
    }
    return { ...p, description: undefined, metadata: undefined, body };
  });
}
