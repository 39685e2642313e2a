import type { IntOrString } from "../../api/index"

/**
 * apimachinery/pkg/util/intstr/intstr.go `GetScaledValueFromIntOrPercent`: an int is itself; "N%" is
 * N·total/100 rounded up or down. Anything else is an error naming the value.
 */
export const scaledValue = (v: IntOrString, total: number, roundUp: boolean): number => {
  if (typeof v === "number") return v
  const m = /^(\d+)%$/.exec(v)
  if (m === null) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(v)}`)
  const x = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(x) : Math.floor(x)
}

/**
 * pkg/controller/deployment/util/deployment_util.go `ResolveFenceposts`: maxSurge rounds up, maxUnavailable rounds
 * down, and if both come out 0 maxUnavailable becomes 1 (else a rollout could never make progress).
 */
export const resolveFenceposts = (maxSurge: IntOrString, maxUnavailable: IntOrString, desired: number): { surge: number; unavailable: number } => {
  const surge = scaledValue(maxSurge, desired, true)
  let unavailable = scaledValue(maxUnavailable, desired, false)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { surge, unavailable }
}
