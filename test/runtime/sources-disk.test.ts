// storage.driver=disk with watchForChanges: an edited policy flips the decision after the
// cooldown, a broken edit is refused (old decisions continue, error with file:line:col), a fix
// recovers; new sub-directories are watched too. In-process (ReloadingPdp) and via `verdict serve`.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReloadingPdp } from "../../host/node/reloading-pdp.ts";
import { DiskSource } from "../../host/node/sources/disk.ts";
import { BROKEN_RULE, docPolicy, effect, removeDir, type Serve, startServe, status, tempDir, within, writeFiles } from "./sources-helpers.ts";

const root = tempDir("verdict-disk-");
const servers: Serve[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  removeDir(root);
});

const allowed = (pdp: ReloadingPdp, role: string, action = "view"): boolean =>
  pdp.isAllowed({ principal: { id: "p", roles: [role] }, resource: { kind: "doc", id: "d" }, action });

describe("disk source with watchForChanges", () => {
  it("recompiles on edit, refuses a broken edit with its position, recovers, and watches new directories", async () => {
    const dir = join(root, "inproc");
    writeFiles(dir, { "doc.yaml": docPolicy("user") });
    const logs: string[] = [];
    const source = new DiskSource({ directory: dir, watchForChanges: true, cooldownMs: 50 });
    const pdp = await ReloadingPdp.open(source, { log: (l) => logs.push(l) });
    try {
      expect(allowed(pdp, "user")).toBe(true);
      expect(pdp.status().ruleset.revision).toMatch(/^sha256:[0-9a-f]{16}$/);

      writeFileSync(join(dir, "doc.yaml"), docPolicy("admin"));
      const flipMs = await within(3_000, "flip", () => !allowed(pdp, "user"));
      expect(allowed(pdp, "admin")).toBe(true);
      console.log(`disk: decision flipped ${flipMs} ms after the write (cooldown 50 ms)`);

      writeFileSync(join(dir, "doc.yaml"), docPolicy("user", BROKEN_RULE));
      await within(3_000, "refusal", () => pdp.status().refused === 1);
      expect(pdp.status().lastError!.diagnostics[0]).toMatchObject({ file: "doc.yaml", line: 14 });
      expect(logs.join("\n")).toMatch(/reload refused: disk .*\ndoc\.yaml:14:\d+: error\[VD\d+\]/);
      expect([allowed(pdp, "user"), allowed(pdp, "admin")]).toEqual([false, true]);

      writeFileSync(join(dir, "doc.yaml"), docPolicy("user"));
      await within(3_000, "recovery", () => allowed(pdp, "user"));
      expect(pdp.status()).toMatchObject({ lastError: null, reloads: 2 });

      // A policy added in a new sub-directory is seen (the new directory gets its own watcher).
      writeFiles(dir, { "sub/note.yaml": docPolicy("user").replace("resource: doc", "resource: note") });
      await within(3_000, "new directory", () =>
        pdp.isAllowed({ principal: { id: "p", roles: ["user"] }, resource: { kind: "note", id: "n" }, action: "view" }),
      );
      expect(pdp.status().ruleset.policies).toBe(2);
      expect(logs.some((l) => /reloaded disk .* 2 policies/.test(l))).toBe(true);
    } finally {
      await pdp.stop();
    }
  });

  it("a deleted policy directory is refused and the last good ruleset keeps serving", async () => {
    const dir = join(root, "gone");
    writeFiles(dir, { "a/doc.yaml": docPolicy("user") });
    const pdp = await ReloadingPdp.open(new DiskSource({ directory: dir, watchForChanges: true, cooldownMs: 50 }));
    try {
      rmSync(dir, { recursive: true });
      await within(3_000, "refusal", () => pdp.status().refused >= 1);
      expect(allowed(pdp, "user")).toBe(true);
    } finally {
      await pdp.stop();
    }
  });

  it("verdict serve --policies DIR with storage.disk.watchForChanges=true flips and reports refusals", async () => {
    const dir = join(root, "serve");
    writeFiles(dir, { "doc.yaml": docPolicy("user") });
    const s = await startServe({ "storage.disk.watchForChanges": "true", "storage.disk.watchCooldown": "100ms", "storage.disk.directory": dir });
    servers.push(s);
    expect(await effect(s.url, "user")).toBe("EFFECT_ALLOW");
    writeFileSync(join(dir, "doc.yaml"), docPolicy("admin"));
    await within(3_000, "flip", async () => (await effect(s.url, "user")) === "EFFECT_DENY");
    writeFileSync(join(dir, "doc.yaml"), docPolicy("user", BROKEN_RULE));
    await within(3_000, "refusal", async () => (await status(s.url)).lastError !== null);
    expect((await status(s.url)).lastError.diagnostics[0]).toMatchObject({ file: "doc.yaml", line: 14 });
    expect(await effect(s.url, "user")).toBe("EFFECT_DENY");
  });
});
