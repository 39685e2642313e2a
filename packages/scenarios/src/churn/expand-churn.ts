import { type Nanos, type Rng, api, parseDuration } from "@kubesim/core"
import type { ChurnSpec } from "../format/schema"
import { poissonArrivals } from "../traffic/arrivals"
import type { TimedAction } from "./timed-action"

/** The random stream a churn generator draws from: its own, so adding churn never shifts traffic's draws. */
export const churnStreamName = (index: number): string => `scenario/churn/${index}`

const opt = (d: string | undefined, fallback: Nanos): Nanos => (d === undefined ? fallback : parseDuration(d))

/**
 * A churn generator as a pure schedule of timed actions over [start, stop) (default the whole run). Times are
 * drawn from `rng` (Poisson rates) or taken from the spec; the result is sorted by time, ties in generation order.
 */
export const expandChurn = (spec: ChurnSpec, index: number, rng: Rng, duration: Nanos): TimedAction[] => {
  const source = `churn[${index}] (${spec.type})`
  const out: TimedAction[] = []
  const ns = "namespace" in spec && spec.namespace !== undefined ? spec.namespace : api.DEFAULT_NAMESPACE
  switch (spec.type) {
    case "kill-pods": {
      const start = opt(spec.start, 0)
      const stop = opt(spec.stop, duration)
      const times = spec.rate !== undefined ? poissonArrivals(rng, spec.rate, start, stop) : (spec.schedule ?? []).map(parseDuration)
      for (const at of times) {
        out.push({
          at,
          source,
          operation: { op: "kill", selector: spec.selector, namespace: ns, count: 1, ...(spec.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: spec.gracePeriodSeconds } : {}) },
        })
      }
      break
    }
    case "rolling-update": {
      const start = opt(spec.start, 0)
      const stop = opt(spec.stop, duration)
      let times: Nanos[]
      if (spec.every !== undefined) {
        const every = parseDuration(spec.every)
        times = []
        for (let t = start + every; t < stop; t += every) times.push(t)
      } else times = (spec.at ?? []).map(parseDuration)
      const images = spec.images ?? []
      times.forEach((at, k) => {
        const image = images.length > 0 ? images[k % images.length] : undefined
        out.push({ at, source, operation: { op: "rollout", deployment: spec.deployment, namespace: ns, ...(image !== undefined ? { image } : {}) } })
      })
      break
    }
    case "scale":
      for (const s of spec.schedule) out.push({ at: parseDuration(s.at), source, operation: { op: "scale", deployment: spec.deployment, namespace: ns, replicas: s.replicas } })
      break
    case "node-failure": {
      const start = opt(spec.start, 0)
      const stop = opt(spec.stop, duration)
      const recover = spec.recoverAfter === undefined ? undefined : parseDuration(spec.recoverAfter)
      if (spec.at !== undefined) {
        for (const at of spec.at.map(parseDuration)) {
          out.push({ at, source, operation: { op: "fail-node", node: spec.node } })
          if (recover !== undefined && at + recover <= duration) out.push({ at: at + recover, source, operation: { op: "recover-node", node: spec.node } })
        }
      } else {
        // Poisson failures of one node: the next failure is drawn from the moment it is up again.
        let t = start
        for (;;) {
          const next = poissonArrivals(rng, spec.rate as number, t, stop)[0]
          if (next === undefined) break
          out.push({ at: next, source, operation: { op: "fail-node", node: spec.node } })
          if (recover === undefined || next + recover > duration) break
          out.push({ at: next + recover, source, operation: { op: "recover-node", node: spec.node } })
          t = next + recover
        }
      }
      break
    }
    case "readiness-flap": {
      const start = opt(spec.start, 0)
      const stop = opt(spec.stop, duration)
      const period = parseDuration(spec.period)
      const down = parseDuration(spec.down)
      for (let t = start + period; t < stop; t += period) {
        out.push({ at: t, source, operation: { op: "set-readiness", selector: spec.selector, namespace: ns, ready: false } })
        if (t + down <= duration) out.push({ at: t + down, source, operation: { op: "set-readiness", selector: spec.selector, namespace: ns, ready: true } })
      }
      break
    }
    case "liveness-fail": {
      const stop = opt(spec.stop, duration)
      const period = parseDuration(spec.period)
      for (let t = opt(spec.start, 0) + period; t < stop; t += period) out.push({ at: t, source, operation: { op: "fail-liveness", selector: spec.selector, namespace: ns } })
      break
    }
  }
  return sortByTime(out)
}

/** Stable sort by time. */
export const sortByTime = (xs: TimedAction[]): TimedAction[] =>
  xs
    .map((x, i) => [x, i] as const)
    .sort((a, b) => a[0].at - b[0].at || a[1] - b[1])
    .map(([x]) => x)
