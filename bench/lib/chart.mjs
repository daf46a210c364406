// A small SVG bar chart (log scale) of warm decisions/s per peer and workload; no dependencies.
const COLORS = { seed: "#2f6fb0", large: "#e08a2c" };
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function chartSvg(rows, variants, title) {
  // rows: [{ name, values: { seed: opsPerSec, large: opsPerSec } }]
  const W = 860, left = 230, right = 90, barH = 14, gap = 6, groupGap = 14, top = 46;
  const all = rows.flatMap((r) => variants.map((v) => r.values[v])).filter((x) => x > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all)))), hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const x = (v) => left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - left - right);
  const H = top + rows.length * (variants.length * (barH + gap) + groupGap) + 30;
  const fmt = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)} M/s` : v >= 1e3 ? `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)} k/s` : `${v.toFixed(0)}/s`);
  const s = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  s.push(`<rect width="100%" height="100%" fill="white"/>`);
  s.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  variants.forEach((v, i) => {
    s.push(`<rect x="${left + i * 110}" y="28" width="12" height="12" fill="${COLORS[v] || "#888"}"/><text x="${left + i * 110 + 16}" y="38">${esc(v)}</text>`);
  });
  for (let d = lo; d <= hi; d *= 10) {
    s.push(`<line x1="${x(d)}" x2="${x(d)}" y1="${top - 4}" y2="${H - 24}" stroke="#ddd"/><text x="${x(d)}" y="${H - 10}" text-anchor="middle" fill="#555">${esc(fmt(d))}</text>`);
  }
  let y = top;
  for (const r of rows) {
    s.push(`<text x="${left - 8}" y="${y + (variants.length * (barH + gap)) / 2 + 2}" text-anchor="end">${esc(r.name)}</text>`);
    for (const v of variants) {
      const val = r.values[v];
      if (val > 0) {
        s.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(val) - left)}" height="${barH}" fill="${COLORS[v] || "#888"}"/>`);
        s.push(`<text x="${x(val) + 4}" y="${y + barH - 3}" fill="#333">${esc(fmt(val))}</text>`);
      }
      y += barH + gap;
    }
    y += groupGap;
  }
  s.push(`</svg>`);
  return s.join("\n") + "\n";
}
