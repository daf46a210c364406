// inIPAddrRange(ip, cidr) as Cerbos does it with Go's net.ParseIP / net.ParseCIDR / IPNet.Contains:
// IPv4 (no leading zeros) and IPv6 (with "::" and a trailing dotted quad); IPv4-mapped IPv6
// addresses count as IPv4, as Go's To4() makes them.
import { Tag, Builtin, CelError } from "../../spec/format";
import { tagOf, cA, cP, setBool, setErr, setErrCode, payloadOk, noOverload } from "../value";

const ipBuf: usize = memory.data(16);
const netBuf: usize = memory.data(16);
const V4_PREFIX: u32 = 0xffff0000; // bytes 10..11 = ff ff, loaded little-endian from offset 8

/** Parses an address into buf as 16 bytes; returns 4 (IPv4 literal), 6 (IPv6 literal) or 0. */
function parseIP(p: usize, n: u32, buf: usize): i32 {
  memory.fill(buf, 0, 16);
  let dots = false;
  for (let i: u32 = 0; i < n; i++) { const c = load<u8>(p + i); if (c == 58) { dots = false; break; } if (c == 46) dots = true; }
  if (dots) {
    if (!parseV4(p, n, buf + 12)) return 0;
    store<u16>(buf, 0xffff, 10);
    return 4;
  }
  return parseV6(p, n, buf) ? 6 : 0;
}

function parseV4(p: usize, n: u32, out: usize): bool {
  let i: u32 = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0) { if (i >= n || load<u8>(p + i) != 46) return false; i++; }
    let v: u32 = 0, d: u32 = 0;
    while (i < n) {
      const c = <u32>load<u8>(p + i) - 48;
      if (c > 9) break;
      if (d > 0 && v == 0) return false; // Go rejects leading zeros
      v = v * 10 + c; d++; i++;
      if (v > 255) return false;
    }
    if (d == 0) return false;
    store<u8>(out + k, <u8>v);
  }
  return i == n;
}

function hexv(c: u32): i32 {
  if (c - 48 < 10) return <i32>(c - 48);
  const l = c | 0x20;
  if (l - 97 < 6) return <i32>(l - 87);
  return -1;
}

function parseV6(p: usize, n: u32, out: usize): bool {
  let i: u32 = 0, g: i32 = 0, ellipsis: i32 = -1;
  if (n >= 2 && load<u8>(p) == 58 && load<u8>(p + 1) == 58) { ellipsis = 0; i = 2; if (i == n) return true; }
  while (i < n && g < 8) {
    // A trailing dotted quad fills the last 32 bits.
    let j = i, isV4 = false;
    while (j < n && load<u8>(p + j) != 58) { if (load<u8>(p + j) == 46) isV4 = true; j++; }
    if (isV4) {
      if (g > 6 || j != n || !parseV4(p + i, n - i, out + (<usize>g << 1))) return false;
      g += 2; i = n; break;
    }
    let v: i32 = 0, d: u32 = 0;
    while (i < n) {
      const h = hexv(<u32>load<u8>(p + i));
      if (h < 0) break;
      v = (v << 4) | h; d++; i++;
      if (d > 4) return false;
    }
    if (d == 0) return false;
    store<u8>(out + (<usize>g << 1), <u8>(v >> 8));
    store<u8>(out + (<usize>g << 1) + 1, <u8>v);
    g++;
    if (i == n) break;
    if (load<u8>(p + i) != 58 || i + 1 == n) return false;
    i++;
    if (load<u8>(p + i) == 58) {
      if (ellipsis >= 0) return false;
      ellipsis = g; i++;
      if (i == n) break;
    }
  }
  if (i != n) return false;
  if (ellipsis < 0) return g == 8;
  if (g == 8) return false;
  // Move the groups after "::" to the end.
  const after = g - ellipsis, shift = 8 - g;
  for (let k = after - 1; k >= 0; k--) store<u16>(out + (<usize>(ellipsis + shift + k) << 1), load<u16>(out + (<usize>(ellipsis + k) << 1)));
  for (let k = 0; k < shift; k++) store<u16>(out + (<usize>(ellipsis + k) << 1), 0);
  return true;
}

function isMapped(b: usize): bool { return load<u64>(b) == 0 && load<u32>(b, 8) == V4_PREFIX; }

export function callNet(fn: u32, a: usize, argc: u32): bool {
  if (fn != Builtin.IN_IP_ADDR_RANGE) return false;
  const b = a + 16;
  if (argc != 2 || tagOf(a) != Tag.STRING || tagOf(b) != Tag.STRING || !payloadOk(a) || !payloadOk(b)) {
    noOverload(a); return true;
  }
  if (parseIP(cP(a), cA(a), ipBuf) == 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
  const q = cP(b), m = cA(b);
  let slash: i32 = -1;
  for (let i: u32 = 0; i < m; i++) if (load<u8>(q + i) == 47) { slash = <i32>i; break; }
  if (slash < 0) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
  const kind = parseIP(q, <u32>slash, netBuf);
  let bits: i32 = 0, d: u32 = 0;
  for (let i = <u32>slash + 1; i < m; i++) {
    const c = <u32>load<u8>(q + i) - 48;
    if (c > 9 || (d > 0 && bits == 0) || d > 3) { bits = 999; break; }
    bits = bits * 10 + <i32>c; d++;
  }
  if (kind == 0 || d == 0 || bits > (kind == 4 ? 32 : 128)) { setErrCode(a, CelError.INVALID_ARGUMENT); return true; }
  if (kind == 4) bits += 96;
  // Go's IPNet.Contains: IPv4 networks (including v4-mapped v6 ones) only contain IPv4 addresses.
  mask(netBuf, bits);
  const net4 = isMapped(netBuf), ip4 = isMapped(ipBuf);
  if (net4 != ip4) { setBool(a, false); return true; }
  if (net4 && bits < 96) bits = 96;
  mask(ipBuf, bits);
  setBool(a, load<u64>(ipBuf) == load<u64>(netBuf) && load<u64>(ipBuf, 8) == load<u64>(netBuf, 8));
  return true;
}

/** Clears every bit after the first `bits` bits of the 16-byte address. */
function mask(b: usize, bits: i32): void {
  for (let i = 0; i < 16; i++) {
    const keep = bits - i * 8;
    if (keep >= 8) continue;
    const m: u32 = keep <= 0 ? 0 : (0xff00 >> keep) & 0xff;
    store<u8>(b + i, <u8>(<u32>load<u8>(b + i) & m));
  }
}
