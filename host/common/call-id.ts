// cerbosCallId: a ULID like Cerbos's (48-bit millisecond time + 80 random bits, Crockford
// base32). Uses Web Crypto, which Node 20, browsers and Workers all provide as globalThis.crypto.
// Random bytes are drawn in blocks: one getRandomValues call per id cost more than a decision.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

export function newCallId(now = Date.now()): string {
  let t = now;
  let id = "";
  for (let i = 0; i < 10; i++) {
    id = ALPHABET[t % 32]! + id;
    t = Math.floor(t / 32);
  }
  if (poolPos + 16 > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolPos = 0;
  }
  for (let i = 0; i < 16; i++) id += ALPHABET[pool[poolPos++]! & 31]!;
  return id;
}
