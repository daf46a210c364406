// The oracle launcher itself: real Cerbos 0.55 comes up on 127.0.0.1 with a free port, answers,
// and is really gone (process and port) after stop().
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCerbos } from "./cerbos.ts";
import { JsonClient } from "./http.ts";
import { repoRoot } from "./paths.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("test/oracle: real Cerbos launcher", () => {
  it("starts on loopback, reports version 0.55.0, decides, and is killed by stop()", async () => {
    const server = await startCerbos({ policyDir: join(repoRoot, "examples", "expenses") });
    const client = new JsonClient(server.baseUrl, { maxSockets: 1, timeoutMs: 5000 });
    try {
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const info = await client.get("/api/server_info");
      expect((info.body as { version?: string }).version).toBe("0.55.0");
      const res = await client.post("/api/check/resources", {
        principal: { id: "bob", roles: ["user"] },
        resources: [{ resource: { kind: "expense", id: "E1", attr: { ownerId: "bob" } }, actions: ["read", "delete"] }],
      });
      expect((res.body as { results: Array<{ actions: Record<string, string> }> }).results[0]?.actions).toEqual({
        read: "EFFECT_ALLOW",
        delete: "EFFECT_DENY",
      });
    } finally {
      client.close();
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
    const after = new JsonClient(server.baseUrl, { maxSockets: 1, timeoutMs: 1000 });
    await expect(after.get("/_cerbos/health")).rejects.toThrow();
    after.close();
  });
});
