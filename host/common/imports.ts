// What the evaluator imports from its host (module "verdict", docs/format.md "Host imports"):
// number text and time-zone offsets, which every JS runtime already does exactly (shortest and
// correctly rounded digits, ICU's tz database). Formatting numbers is not policy. None of these
// throws into wasm: a bad zone comes back as NaN.
import { DIGITS_FIXED } from "../../spec/format.ts";

/** One UTF-8 decoder for every host module (invalid bytes become U+FFFD). */
export const utf8 = new TextDecoder();
export const textEncoder = new TextEncoder();

/** The import object; `memory` is read lazily because it is the instance's own export. */
export function hostImports(memory: () => WebAssembly.Memory) {
  const bytes = (p: number, n: number) => new Uint8Array(memory().buffer, p, n);
  const str = (p: number, n: number) => utf8.decode(bytes(p, n));
  return {
    verdict: {
      digits(x: number, mode: number, out: number): number {
        const [m, e] = (mode < DIGITS_FIXED ? x.toExponential(mode < 0 ? undefined : mode) : x.toFixed(mode - DIGITS_FIXED)).split("e");
        const d = m!.replace(".", "");
        textEncoder.encodeInto(d, bytes(out, d.length));
        return ((+e! + 1) << 8) | d.length; // positional (no "e"): 0, the evaluator knows the fraction length
      },
      parse: (p: number, n: number): number => +str(p, n),
      zone(p: number, n: number, secs: number): number {
        try {
          const name = str(p, n);
          const f = new Intl.DateTimeFormat("en", { timeZone: name, timeZoneName: "longOffset" });
          const z = f.resolvedOptions().timeZone;
          if (z != name && z.toLowerCase() == name.toLowerCase()) return NaN; // Go's LoadLocation is case-sensitive, ICU is not
          const [, h = "", m = 0, s = 0] = f.format(secs * 1000).split(/GMT|:/); // "7/23/1811, GMT-00:01:15"
          return +h * 3600 + (h[0] == "-" ? -1 : 1) * (+m * 60 + +s);
        } catch {
          return NaN;
        }
      },
    },
  };
}
