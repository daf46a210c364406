// Request validation mirrors Cerbos 0.55's HTTP 400 messages (recorded from the real binary).
import { describe, expect, it } from "vitest";
import { parseCheckResourcesRequest, RequestValidationError, validateCheckInput } from "../../host/common/validate.ts";

const ok = {
  principal: { id: "a", roles: ["user"] },
  resources: [{ actions: ["view"], resource: { kind: "doc", id: "1" } }],
};

function message(body: unknown, limits?: Parameters<typeof parseCheckResourcesRequest>[1]): string {
  try {
    parseCheckResourcesRequest(body, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(RequestValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("parseCheckResourcesRequest", () => {
  it("accepts a valid request and normalises proto names and empty fields", () => {
    const r = parseCheckResourcesRequest({
      request_id: "r",
      include_meta: true,
      principal: { id: "a", roles: ["user"], policy_version: "v1", scope: "" },
      resources: [{ actions: ["view"], resource: { kind: "doc", id: "1", attr: null } }],
    });
    expect(r).toEqual({
      requestId: "r",
      includeMeta: true,
      principal: { id: "a", roles: ["user"], policyVersion: "v1" },
      resources: [{ actions: ["view"], resource: { kind: "doc", id: "1" } }],
    });
  });

  it("reports missing principal fields like protovalidate", () => {
    expect(message({ ...ok, principal: { id: "", roles: [] } })).toBe(
      "validation errors:\n - principal.id: value is required\n - principal.roles: value is required",
    );
    expect(message({ resources: ok.resources })).toBe("validation error: principal: value is required");
  });

  it("reports empty and malformed resources", () => {
    expect(message({ ...ok, resources: [] })).toBe("validation error: resources: value is required");
    expect(message({ ...ok, resources: [{ actions: [], resource: { kind: "", id: "" } }] })).toBe(
      "validation errors:\n - resources[0].actions: value is required\n - resources[0].resource.kind: value is required\n - resources[0].resource.id: value is required",
    );
  });

  it("reports duplicates and empty items", () => {
    expect(message({ principal: { id: "a", roles: ["u", "u"] }, resources: [{ actions: ["v", "v"], resource: { kind: "d", id: "1" } }] })).toBe(
      "validation errors:\n - principal.roles: repeated value must contain unique items\n - resources[0].actions: repeated value must contain unique items",
    );
    expect(message({ principal: { id: "a", roles: [""] }, resources: [{ actions: [""], resource: { kind: "d", id: "1" } }] })).toBe(
      "validation errors:\n - principal.roles[0]: must be at least 1 characters\n - resources[0].actions[0]: must be at least 1 characters",
    );
  });

  it("rejects wrong JSON types and unknown fields instead of guessing", () => {
    expect(message({ ...ok, principal: { id: 5, roles: ["u"] } })).toMatch(/invalid value for string field principal.id: 5/);
    expect(message({ ...ok, foo: 1 })).toBe('proto: unknown field "foo"');
    expect(message([])).toMatch(/expected a JSON object, got an array/);
    expect(message(null)).toMatch(/got null/);
    expect(message({ ...ok, principal: { id: "a", roles: "user" } })).toMatch(/repeated string field principal.roles/);
  });

  it("enforces the server's batch limits with Cerbos's messages", () => {
    const many = { ...ok, resources: Array.from({ length: 3 }, (_, i) => ({ actions: ["v"], resource: { kind: "d", id: `${i}` } })) };
    expect(message(many, { maxResourcesPerRequest: 2, maxActionsPerResource: 50 })).toBe(
      "number of resources in batch (3) exceeds configured limit (2)",
    );
    const actions = { ...ok, resources: [{ actions: ["a", "b", "c"], resource: { kind: "d", id: "1" } }] };
    expect(message(actions, { maxResourcesPerRequest: 50, maxActionsPerResource: 2 })).toBe("number of actions (3) exceeds configured limit (2)");
  });
});

describe("validateCheckInput", () => {
  it("accepts an engine input and refuses one without principal id, roles or actions", () => {
    expect(() => validateCheckInput({ principal: { id: "a", roles: ["u"] }, resource: { kind: "d", id: "1" }, actions: ["v"] })).not.toThrow();
    expect(() => validateCheckInput({ principal: { id: "", roles: [] }, resource: { kind: "d", id: "1" }, actions: [] } as never)).toThrow(
      "validation errors:\n - input.principal.id: value is required\n - input.principal.roles: value is required\n - input.actions: value is required",
    );
  });
});
