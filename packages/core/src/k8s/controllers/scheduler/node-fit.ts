import type { Node, Pod, Taint, Toleration } from "../../api/index"
import { QuantityError, milliCpu, wholeUnits } from "../../api/quantity"

/** pkg/scheduler/util/pod_resources.go `DefaultMilliCPURequest` / `DefaultMemoryRequest`: used for scoring pods without requests. */
export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

export interface PodRequests {
  readonly milliCpu: number
  readonly memory: number
}

const quantity = (text: string | undefined, parse: (t: string) => number, what: string): number => {
  if (text === undefined) return 0
  try {
    return parse(text)
  } catch (e) {
    if (e instanceof QuantityError) throw new QuantityError(`${what}: ${e.message}`)
    throw e
  }
}

/**
 * Memoised per object: store objects are replaced, never changed in place, and a scheduling cycle reads the same
 * pod's and nodes' quantities once per node it looks at (NodeInfo's `Requested`/`Allocatable` are precomputed upstream).
 */
const memo = <O extends object, R>(f: (o: O) => R): ((o: O) => R) => memoBy(f, (o) => o)

/**
 * Memoised per `by(o)`: a pod's requests and ports depend on its spec only, and a status write keeps the spec
 * object (the store's NodeInfo sum reads both the old and the new pod on every write).
 */
const memoBy = <O, K extends object, R>(f: (o: O) => R, by: (o: O) => K): ((o: O) => R) => {
  const cache = new WeakMap<K, R>()
  return (o) => {
    const k = by(o)
    let r = cache.get(k)
    if (r === undefined) {
      r = f(o)
      cache.set(k, r)
    }
    return r
  }
}
const bySpec = (pod: Pod): object => pod.spec

/** The sum of the containers' requests (what NodeResourcesFit filters on). */
export const podRequests = memoBy((pod: Pod): PodRequests => {
  let cpu = 0
  let mem = 0
  for (const c of pod.spec.containers) {
    cpu += quantity(c.resources?.requests?.cpu, milliCpu, `pod ${pod.metadata.name} container ${c.name} requests.cpu`)
    mem += quantity(c.resources?.requests?.memory, wholeUnits, `pod ${pod.metadata.name} container ${c.name} requests.memory`)
  }
  return { milliCpu: cpu, memory: mem }
}, bySpec)

/** `GetNonzeroRequests`: missing requests count as 100m CPU / 200 MiB for scoring. */
export const nonzeroRequests = memoBy((pod: Pod): PodRequests => {
  let cpu = 0
  let mem = 0
  for (const c of pod.spec.containers) {
    const rc = c.resources?.requests?.cpu
    const rm = c.resources?.requests?.memory
    cpu += rc === undefined ? DEFAULT_MILLI_CPU_REQUEST : milliCpu(rc)
    mem += rm === undefined ? DEFAULT_MEMORY_REQUEST : wholeUnits(rm)
  }
  return { milliCpu: cpu, memory: mem }
}, bySpec)

export interface NodeAllocatable {
  readonly milliCpu: number | undefined
  readonly memory: number | undefined
  readonly pods: number | undefined
}

export const nodeAllocatable = memo((node: Node): NodeAllocatable => {
  const a = node.status.allocatable ?? node.status.capacity ?? {}
  const n = node.metadata.name
  return {
    milliCpu: a.cpu === undefined ? undefined : quantity(a.cpu, milliCpu, `node ${n} allocatable.cpu`),
    memory: a.memory === undefined ? undefined : quantity(a.memory, wholeUnits, `node ${n} allocatable.memory`),
    pods: a.pods === undefined ? undefined : quantity(a.pods, wholeUnits, `node ${n} allocatable.pods`),
  }
})

/** core/v1 `Toleration.ToleratesTaint`. */
export const tolerates = (t: Toleration, taint: Taint): boolean => {
  if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false
  if (t.key !== undefined && t.key !== "" && t.key !== taint.key) return false
  const op = t.operator ?? "Equal"
  if (op === "Exists") return true
  return (t.value ?? "") === (taint.value ?? "")
}

/** The first NoSchedule/NoExecute taint a pod with `tolerations` does not tolerate (TaintToleration filter), if any. */
export const untoleratedTaint = (tolerations: ReadonlyArray<Toleration>, node: Node): Taint | undefined => {
  for (const taint of node.spec.taints ?? []) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue
    if (!tolerations.some((t) => tolerates(t, taint))) return taint
  }
  return undefined
}

/** The node's Ready condition status, or undefined when it reports none. */
export const nodeReadyStatus = (node: Node): string | undefined => node.status.conditions?.find((c) => c.type === "Ready")?.status

/**
 * plugins/nodeports `getContainerPorts`: the host ports a pod asks for, as `protocol/port` (a hostNetwork pod's
 * container ports default to host ports: SetDefaults_PodSpec). Container ports carry no hostIP in kubesim, so
 * every host port is on 0.0.0.0 and any two with the same protocol and number conflict (HostPortInfo.CheckConflict).
 */
export const hostPortsOf = memoBy((pod: Pod): ReadonlyArray<string> => {
  const out: string[] = []
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.hostPort !== undefined && p.hostPort > 0) out.push(`${p.protocol}/${p.hostPort}`)
  return out
}, bySpec)
