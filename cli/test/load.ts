// Loading of suite files and of the fixture files in a `testdata/` directory, with Cerbos's error
// texts (they appear verbatim in TestResults).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { decodeMessage, renderLoadErrors, type LoadError, type MessageDesc } from "./decode.ts";
import {
  AUX_DATA_FILE,
  PRINCIPALS_FILE,
  RESOURCES_FILE,
  TEST_SUITE,
  validateAuxDataFile,
  validatePrincipalsFile,
  validateResourcesFile,
  validateSuite,
} from "./suite-schema.ts";
import type { FixtureAuxData, TestSuite } from "./types.ts";
import type { Principal, Resource } from "../../host/common/types.ts";
import { parseYamlTree, YamlSyntaxError } from "./yaml-tree.ts";

type Loaded<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

function loadMessage<T>(file: string, desc: MessageDesc, validate: (o: Record<string, unknown>) => LoadError[]): Loaded<T> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { error: (e as Error).message };
  }
  let tree;
  try {
    tree = parseYamlTree(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError) return { error: `${e.pos.line}:${e.pos.column} ${e.message}` };
    throw e;
  }
  // A document that is not a mapping (e.g. a bare word) is "not YAML or JSON" to Cerbos.
  // An empty document decodes to an empty message (then fails validation if fields are required).
  if (tree === undefined) tree = { kind: "map" as const, pos: { line: 1, column: 1 }, entries: [] };
  if (tree.kind !== "map") return { error: "1:1 invalid document: contents are not valid YAML or JSON" };
  const errors: LoadError[] = [];
  const value = decodeMessage(tree, desc, errors);
  if (errors.length === 0) errors.push(...validate(value));
  if (errors.length > 0) return { error: renderLoadErrors(errors) };
  return { value: value as T };
}

export function loadSuite(file: string): Loaded<TestSuite> {
  return loadMessage<TestSuite>(file, TEST_SUITE, validateSuite);
}

export interface Fixture {
  principals?: Record<string, Principal>;
  principalGroups?: Record<string, string[]>;
  resources?: Record<string, Resource>;
  resourceGroups?: Record<string, string[]>;
  auxData?: Record<string, FixtureAuxData>;
}

const EXTENSIONS = [".yaml", ".yml", ".json"];

function findOne(dir: string, base: string): string | undefined {
  for (const ext of EXTENSIONS) {
    const p = path.join(dir, base + ext);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Checks that every group member names a fixture; returns the first problem like Cerbos. */
export function checkGroups(groups: Record<string, string[]>, exists: (name: string) => boolean): string | undefined {
  for (const [group, members] of Object.entries(groups)) {
    for (const m of members) if (!exists(m)) return `missing fixture "${m}" referenced in group "${group}"`;
  }
  return undefined;
}

function groupMembers(groups: Record<string, Record<string, unknown>> | undefined, member: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, g] of Object.entries(groups ?? {})) out[k] = (g?.[member] as string[] | undefined) ?? [];
  return out;
}

/** Loads `testdata/` fixtures. Throws an Error carrying Cerbos's message on a bad file. */
export function loadFixture(dir: string): Fixture {
  const fixture: Fixture = {};
  const pFile = findOne(dir, "principals");
  if (pFile) {
    const r = loadMessage<{ principals?: Record<string, Principal>; principalGroups?: Record<string, Record<string, unknown>> }>(pFile, PRINCIPALS_FILE, validatePrincipalsFile);
    if (r.error !== undefined) throw new Error(`failed to load principals:\n${r.error}`);
    fixture.principals = r.value.principals ?? {};
    fixture.principalGroups = groupMembers(r.value.principalGroups, "principals");
    const bad = checkGroups(fixture.principalGroups, (n) => n in fixture.principals!);
    if (bad) throw new Error(`failed to load principals: ${bad}`);
  }
  const rFile = findOne(dir, "resources");
  if (rFile) {
    const r = loadMessage<{ resources?: Record<string, Resource>; resourceGroups?: Record<string, Record<string, unknown>> }>(rFile, RESOURCES_FILE, validateResourcesFile);
    if (r.error !== undefined) throw new Error(`failed to load resources:\n${r.error}`);
    fixture.resources = r.value.resources ?? {};
    fixture.resourceGroups = groupMembers(r.value.resourceGroups, "resources");
    const bad = checkGroups(fixture.resourceGroups, (n) => n in fixture.resources!);
    if (bad) throw new Error(`failed to load resources: ${bad}`);
  }
  // Cerbos accepts three spellings of the aux data file name and uses the first that exists.
  for (const base of ["auxdata", "auxData", "aux_data"]) {
    const aFile = findOne(dir, base);
    if (!aFile) continue;
    const r = loadMessage<{ auxData?: Record<string, FixtureAuxData> }>(aFile, AUX_DATA_FILE, validateAuxDataFile);
    if (r.error !== undefined) throw new Error(`failed to load aux data:\n${r.error}`);
    fixture.auxData = r.value.auxData ?? {};
    break;
  }
  return fixture;
}

export { groupMembers };
