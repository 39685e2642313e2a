// Number and duration formatting shared by the Markdown and HTML renderers (JSON keeps raw numbers).

/** A duration in integer nanoseconds as a short human string: `0`, `750 µs`, `12.5 ms`, `3.2 s`, `4 min 10 s`. */
export const formatNanos = (ns: number | null): string => {
  if (ns === null) return "–"
  const abs = Math.abs(ns)
  if (abs === 0) return "0"
  if (abs < 1e3) return `${ns} ns`
  if (abs < 1e6) return `${sig(ns / 1e3)} µs`
  if (abs < 1e9) return `${sig(ns / 1e6)} ms`
  if (abs < 60e9) return `${sig(ns / 1e9)} s`
  const minutes = Math.floor(abs / 60e9)
  return `${ns < 0 ? "-" : ""}${minutes} min ${Math.round((abs - minutes * 60e9) / 1e9)} s`
}

/** Three significant digits, no exponent for ordinary magnitudes, `–` for null. */
export const sig = (x: number | null, digits = 3): string => {
  if (x === null) return "–"
  if (x === 0) return "0"
  if (Math.abs(x) < 1e-4) return x.toExponential(digits - 1)
  return String(Number(x.toPrecision(digits)))
}

/** A p-value: 4 decimals, or `< 0.0001`. */
export const formatP = (p: number | null): string => (p === null ? "–" : p < 1e-4 ? "< 0.0001" : p.toFixed(4))

export const percent = (x: number | null): string => (x === null ? "–" : `${(x * 100).toFixed(1)} %`)

/** `name n, name n` for the non-zero entries of a count record, `none` if all are zero. */
export const counts = (record: Readonly<Record<string, number>>): string => {
  const parts = Object.entries(record)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
  return parts.length === 0 ? "none" : parts.join(", ")
}

/** `mean [low, high]` */
export const withInterval = (mean: number | null, low: number | null, high: number | null): string =>
  mean === null ? "–" : low === null || high === null ? `${sig(mean)} (n < 2)` : `${sig(mean)} [${sig(low)}, ${sig(high)}]`

/** A share as a percentage with 3 significant digits (`0.52 %`), `–` for null. */
export const sharePercent = (x: number | null): string => (x === null ? "–" : `${sig(x * 100)} %`)

/** `0.52 % [0.3 %, 0.9 %]`: a proportion with its interval, in percent. */
export const proportionWithInterval = (share: number | null, low: number | null, high: number | null): string =>
  share === null ? "–" : low === null || high === null ? sharePercent(share) : `${sharePercent(share)} [${sharePercent(low)}, ${sharePercent(high)}]`

/** `25 distinct; the client's own IP in 661 of 661 (100 % [99.4 %, 100 %]); 172.18.0.3 250, …` */
export const sourceIpText = (s: { requests: number; preserved: number; preservedShare: { share: number; low: number; high: number } | null; distinct: number; bySource: Readonly<Record<string, number>> }, shown = 8): string => {
  if (s.requests === 0) return "none recorded"
  const entries = Object.entries(s.bySource)
  const list = entries.slice(0, shown).map(([ip, n]) => `${ip} ${n}`).join(", ")
  const share = s.preservedShare === null ? "" : ` (${proportionWithInterval(s.preservedShare.share, s.preservedShare.low, s.preservedShare.high)})`
  return `${s.distinct} distinct; the client's own IP in ${s.preserved} of ${s.requests}${share}; ${list}${entries.length > shown ? `, … ${entries.length - shown} more` : ""}`
}
