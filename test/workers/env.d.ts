// The parts of `cloudflare:test` these tests use (the package's own types need @cloudflare/workers-types).
declare module "cloudflare:test" {
  export const SELF: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };
}
