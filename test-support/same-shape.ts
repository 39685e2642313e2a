/**
 * Deep equality that also compares what `toEqual` ignores: own keys in the same order (JSON text, and reports that
 * iterate `Object.keys`, depend on it) and numbers by `Object.is` (-0 is not 0). Arrays never equal objects.
 */
export const sameShape = (a: unknown, b: unknown): boolean => {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b)
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    Array.isArray(a) === Array.isArray(b) &&
    JSON.stringify(ka) === JSON.stringify(kb) &&
    ka.every((k) => sameShape((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  )
}
