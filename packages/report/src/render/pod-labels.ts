/**
 * Short, distinct labels for pods shown together: the fewest trailing `-` segments of each name that tell them
 * apart (`web-7c6647b68d-8d4z5` → `8d4z5`; ReplicaSets' hashes come back only when two pods share a suffix), the
 * whole name for pods whose suffix would still collide. A null pod (an endpoint no record named) keeps `fallback`.
 * Labels are distinct whenever the inputs are (entries with the same name and fallback may repeat).
 */
export const podLabels = (pods: ReadonlyArray<{ readonly pod: string | null; readonly fallback: string }>): string[] => {
  const names = pods.map((p) => p.pod ?? p.fallback)
  const segments = names.map((n) => n.split("-"))
  const most = segments.reduce((a, s) => Math.max(a, s.length), 1)
  const distinctNames = new Set(names).size
  for (let k = 1; k <= most; k++) {
    const labels = segments.map((s) => s.slice(Math.max(0, s.length - k)).join("-"))
    if (new Set(labels).size === distinctNames) return labels
  }
  return names
}
