/**
 * Structural equality of plain data (JSON-like values: primitives, arrays, plain objects), independent of
 * key order: apimachinery's `equality.Semantic.DeepEqual` for decoded objects. Absent and `undefined` are equal.
 */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  for (const k in ao) if (ao[k] !== undefined && !deepEqual(ao[k], bo[k])) return false
  for (const k in bo) if (bo[k] !== undefined && ao[k] === undefined) return false
  return true
}
