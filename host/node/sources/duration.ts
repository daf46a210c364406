// Go-style durations as Cerbos's config takes them ("10s", "500ms", "1m30s", "0"); a bare number
// is seconds. Returns milliseconds; throws a clear Error naming the key on anything else.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export function parseDuration(v: unknown, key: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v !== "string") throw new Error(`\`${key}\` must be a duration like 10s or 500ms`);
  const text = v.trim();
  if (text === "0") return 0;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`\`${key}\` must be a duration like 10s or 500ms, got \`${text}\``);
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  if (at === 0) throw new Error(`\`${key}\` must be a duration like 10s or 500ms, got \`${text}\``);
  return ms;
}
