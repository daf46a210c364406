// HTTP auxData carries a JWT *token*; the engine wants its claims. Cerbos verifies tokens against
// configured key sets; without key sets it refuses the request ("invalid auxData"). We support
// Cerbos's `auxData.jwt.disableVerification: true` (decode the payload without verifying) and a
// caller-supplied verifier; anything else is refused the same way Cerbos refuses it.
import { RequestValidationError } from "./validate.ts";
import type { AuxData, CheckResourcesRequest } from "./types.ts";

export type JwtDecoder = (token: string, keySetId?: string) => Record<string, unknown>;

export function decodeJwtPayloadUnverified(token: string): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new RequestValidationError("invalid auxData");
  try {
    const b64 = parts[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw new Error("not an object");
    return claims as Record<string, unknown>;
  } catch {
    throw new RequestValidationError("invalid auxData");
  }
}

/** HTTP auxData → engine auxData ({jwt: claims}); undefined when there is nothing to pass. */
export function resolveAuxData(aux: CheckResourcesRequest["auxData"], decode?: JwtDecoder): AuxData | undefined {
  const jwt = aux?.jwt;
  if (!jwt || typeof jwt !== "object") return undefined;
  const token = (jwt as { token?: unknown }).token;
  if (token === undefined || token === "") return undefined;
  if (typeof token !== "string" || !decode) throw new RequestValidationError("invalid auxData");
  const keySetId = (jwt as { keySetId?: unknown }).keySetId;
  return { jwt: decode(token, typeof keySetId === "string" ? keySetId : undefined) };
}
