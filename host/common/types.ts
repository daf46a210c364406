// Request/response shapes shared by every host. They mirror Cerbos's JSON exactly (HTTP API for
// CheckResources, engine CheckInput/CheckOutput for checkInputs), so responses can be compared
// byte-for-byte with a real Cerbos 0.55 PDP.

import type { ValidationError } from "./schema-section.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type Attributes = Record<string, unknown>;

export interface Principal {
  id: string;
  roles: string[];
  attr?: Attributes;
  policyVersion?: string;
  scope?: string;
}

export interface Resource {
  kind: string;
  id: string;
  attr?: Attributes;
  policyVersion?: string;
  scope?: string;
}

/** Decoded aux data as the engine sees it (JWT claims, already verified or decoded). */
export interface AuxData {
  jwt?: Record<string, unknown>;
  /** Cerbos 0.55's named JWTs: request.auxData.jwts.<name>.claims */
  jwts?: Record<string, { claims?: Record<string, unknown> }>;
}

export interface CheckInput {
  requestId?: string;
  principal: Principal;
  resource: Resource;
  actions: string[];
  auxData?: AuxData;
}

export type EffectName = "EFFECT_ALLOW" | "EFFECT_DENY";

export interface OutputEntry {
  src: string;
  val?: unknown;
  action: string;
  /** Present when the output expression failed (then there is no val). */
  error?: string;
}

export interface CheckOutput {
  requestId?: string;
  resourceId: string;
  actions: Record<string, { effect: EffectName; policy: string; scope?: string }>;
  effectiveDerivedRoles: string[];
  outputs: OutputEntry[];
  evaluationErrors?: Array<{ celError: { expression: string; message: string } }>;
  validationErrors?: ValidationError[];
}

/** Cerbos HTTP API: POST /api/check/resources body. */
export interface CheckResourcesRequest {
  requestId?: string;
  principal: Principal;
  resources: Array<{ resource: Resource; actions: string[] }>;
  /** HTTP shape: `jwt` is a token to verify; hosts may also accept decoded claims (see PdpOptions). */
  auxData?: { jwt?: { token?: string; keySetId?: string } } & Record<string, unknown>;
  includeMeta?: boolean;
  requestContext?: unknown;
}

export interface CheckResourcesResult {
  resource: { id: string; kind: string; policyVersion?: string; scope?: string };
  actions: Record<string, EffectName>;
  validationErrors?: ValidationError[];
  meta?: {
    actions: Record<string, { matchedPolicy: string; matchedScope?: string }>;
    effectiveDerivedRoles?: string[];
  };
  outputs?: OutputEntry[];
}

export interface CheckResourcesResponse {
  requestId?: string;
  results: CheckResourcesResult[];
  cerbosCallId: string;
}

export interface PdpOptions {
  defaultPolicyVersion?: string;
  defaultScope?: string;
  lenientScopeSearch?: boolean;
  strictEvaluation?: boolean;
  globals?: Record<string, unknown>;
  /** Clock for `now()` when a call does not pass its own. */
  now?: () => Date;
}
