/**
 * What one request ended as, the same shape from the real kernel and from kubesim: served by a pod (which saw
 * the connection come from `peer`), or failed with the error the client's socket got — `ECONNREFUSED` (RST or
 * ICMP port unreachable), `EHOSTUNREACH`, … or `TIMEOUT` when nothing came back in time.
 */
export type RequestOutcome =
  | { readonly source: string | null; readonly pod: string; readonly peer: string; readonly ms?: number }
  | { readonly source: string | null; readonly error: string; readonly ms?: number }

export const servedBy = (o: RequestOutcome): string | null => ("pod" in o ? o.pod : null)

/** Requests served per pod, in the order of `pods`; failures are counted under their error code. */
export const countOutcomes = (
  outcomes: ReadonlyArray<RequestOutcome>,
  pods: ReadonlyArray<string>,
): { readonly perPod: ReadonlyArray<number>; readonly errors: ReadonlyMap<string, number>; readonly other: number } => {
  const perPod = pods.map(() => 0)
  const errors = new Map<string, number>()
  let other = 0
  for (const o of outcomes) {
    if ("pod" in o) {
      const i = pods.indexOf(o.pod)
      if (i < 0) other++
      else perPod[i]! += 1
    } else {
      errors.set(o.error, (errors.get(o.error) ?? 0) + 1)
    }
  }
  return { perPod, errors, other }
}

/** Checks an unknown JSON value is a RequestOutcome; throws naming what is wrong. */
export const decodeOutcome = (v: unknown, where: string): RequestOutcome => {
  if (typeof v !== "object" || v === null) throw new Error(`${where}: expected an object, got ${JSON.stringify(v)}`)
  const o = v as Record<string, unknown>
  const source = o["source"] === null || typeof o["source"] === "string" ? (o["source"] as string | null) : undefined
  if (source === undefined) throw new Error(`${where}.source: expected a string or null`)
  const ms = typeof o["ms"] === "number" ? { ms: o["ms"] } : {}
  if (typeof o["pod"] === "string" && typeof o["peer"] === "string") return { source, pod: o["pod"], peer: o["peer"], ...ms }
  if (typeof o["error"] === "string") return { source, error: o["error"], ...ms }
  throw new Error(`${where}: expected {pod, peer} or {error}, got ${JSON.stringify(v)}`)
}
