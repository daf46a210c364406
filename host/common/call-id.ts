// cerbosCallId: a ULID like Cerbos's (48-bit millisecond time + 80 random bits, Crockford
// base32). Uses Web Crypto, which Node 20, browsers and Workers all provide as globalThis.crypto.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function newCallId(now = Date.now()): string {
  let t = now;
  let time = "";
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const rnd = new Uint8Array(16);
  crypto.getRandomValues(rnd);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[rnd[i]! & 31]!;
  return time + rand;
}
