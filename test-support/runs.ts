/**
 * Property-test run counts, sized so the whole suite stays within minutes on a 2-core machine.
 * `KUBESIM_PROPERTY_SCALE=10 pnpm test` multiplies every count for a deeper local run.
 */
const scale = (() => {
  const raw = process.env["KUBESIM_PROPERTY_SCALE"]
  if (raw === undefined || raw === "") return 1
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`KUBESIM_PROPERTY_SCALE must be a positive number, got "${raw}"`)
  return n
})()

/** `base` property runs, scaled by KUBESIM_PROPERTY_SCALE (at least 1). */
export const runs = (base: number): number => Math.max(1, Math.round(base * scale))
