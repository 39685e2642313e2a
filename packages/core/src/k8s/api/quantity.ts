/**
 * Resource quantities (apimachinery/pkg/api/resource/quantity.go): a decimal number with an optional suffix —
 * binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an exponent e/E. CPU is read in millicores
 * (`MilliValue`), memory in bytes (`Value`, rounded up as upstream rounds fractional bytes).
 */
const SUFFIX: Readonly<Record<string, number>> = {
  "": 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/

export class QuantityError extends Error {
  override readonly name = "QuantityError"
}

/** The quantity as a plain number of base units; throws QuantityError quoting the text when malformed. */
export const parseQuantity = (text: string): number => {
  const m = QUANTITY.exec(text.trim())
  if (m === null) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`)
  const base = Number(m[1])
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1))
  return base * (SUFFIX[m[3] ?? ""] as number)
}

/** CPU in millicores (rounded up, as `MilliValue`). */
export const milliCpu = (text: string): number => Math.ceil(parseQuantity(text) * 1000 - 1e-9)

/** Memory (or any count) in whole units, rounded up. */
export const wholeUnits = (text: string): number => Math.ceil(parseQuantity(text) - 1e-9)
