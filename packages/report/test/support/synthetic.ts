import type { RunRecord } from "../../src/records/schema"
import type { Run } from "../../src/records/run"
import { Prng } from "./prng"

const MS = 1_000_000
const S = 1_000_000_000

export interface SyntheticService {
  readonly name: string
  readonly replicas: number
  readonly port: number
  readonly affinity?: boolean
  readonly affinityTimeoutSeconds?: number
  /** how the data plane really picks backends (by replica index); uniform when absent. Rules records still say uniform. */
  readonly actualWeights?: ReadonlyArray<number>
  /** a bug to inject: this fraction of affinity-held requests go to a random other pod anyway */
  readonly affinityLeak?: number
}

export interface SyntheticChurn {
  /** seconds */
  readonly at: number
  readonly service: string
  readonly replica: number
}

/** A labelled phase from `at` seconds on, optionally changing how the data plane really picks backends. */
export interface SyntheticPhase {
  readonly at: number
  readonly name: string
  /** service name → actual weights by replica index while the phase lasts (uniform or the service's own otherwise) */
  readonly actualWeights?: Readonly<Record<string, ReadonlyArray<number>>>
}

export interface SyntheticConfig {
  readonly seed: number
  readonly variant?: string
  readonly seconds: number
  readonly nodes: number
  readonly clients: number
  /** each client issues one request to each service every this many milliseconds (± jitter) */
  readonly intervalMs: number
  readonly services: ReadonlyArray<SyntheticService>
  readonly churn?: ReadonlyArray<SyntheticChurn>
  /** delay from a pod's death to its removal from endpoints, and from that to each node's rules (ms) */
  readonly endpointsDelayMs?: number
  readonly rulesDelayMs?: number
  /** a fixed latency added to every request (to shift a variant) */
  readonly extraLatencyMs?: number
  /** share of requests reusing their previous connection (keep-alive) */
  readonly keepAlive?: number
  /** phases after the initial `steady` one (churn still starts its own) */
  readonly phases?: ReadonlyArray<SyntheticPhase>
}

interface Pod {
  name: string
  ip: string
  node: string
  ready: boolean
  alive: boolean
}

/**
 * A realistic synthetic run: services with replicas spread over nodes, `endpoints` and per-node `rules`
 * records, clients on nodes issuing requests (DNS lookups first), optional ClientIP affinity as kube-proxy's
 * `recent` module does it (per node, with a timeout), pod kills that cause refused requests until each node's
 * rules drop the dead endpoint, then a replacement pod with a new IP. Deterministic for a config.
 */
export const syntheticRun = (config: SyntheticConfig): Run => {
  const rng = new Prng(config.seed)
  const records: RunRecord[] = []
  const nodes = Array.from({ length: config.nodes }, (_, i) => `node-${i + 1}`)
  const endpointsDelay = (config.endpointsDelayMs ?? 300) * MS
  const rulesDelay = (config.rulesDelayMs ?? 700) * MS
  let ipSerial = 10
  const podsBySvc = new Map<string, Pod[]>()
  let podSerial = 0
  const everPod = new Map<string, Pod>()
  let phase = "steady"
  const newPod = (svc: SyntheticService, replica: number): Pod => {
    const node = nodes[replica % nodes.length]!
    const suffix = (0x1000 + ((podSerial++ * 7919) % 0xefff)).toString(16)
    const pod = { name: `${svc.name}-7c9f8d-${suffix}`, ip: `10.244.${(replica % nodes.length) + 1}.${ipSerial++}`, node, ready: true, alive: true }
    everPod.set(`${pod.ip}:${svc.port}`, pod)
    return pod
  }
  const servicePort = (svc: SyntheticService): string => `default/${svc.name}`

  // Time-ordered state changes applied while generating requests.
  type Change = { t: number; apply: () => void }
  const changes: Change[] = []
  const rulesState = new Map<string, Map<string, string[]>>() // node → service → endpoints in rules
  const endpointsRecord = (t: number, svc: SyntheticService): void => {
    const pods = podsBySvc.get(svc.name)!
    const eps = pods
      .map((p) => ({ endpoint: `${p.ip}:${svc.port}`, pod: p.name, node: p.node, ready: p.ready, serving: p.ready, terminating: false }))
      .sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1))
    records.push({ kind: "endpoints", t, service: servicePort(svc), endpoints: eps })
  }
  const rulesRecord = (t: number, node: string): void => {
    const shares: Record<string, Record<string, number>> = {}
    const mine = rulesState.get(node)!
    for (const svc of config.services) {
      const eps = mine.get(servicePort(svc)) ?? []
      shares[servicePort(svc)] = Object.fromEntries(eps.map((e) => [e, 1 / eps.length]))
    }
    records.push({ kind: "rules", t, node, mode: "iptables", full: true, services: config.services.length, rules: 10, shares })
  }
  const syncRules = (t: number): void => {
    for (const [i, node] of nodes.entries()) {
      changes.push({
        t: t + rulesDelay + i * 37 * MS,
        apply: () => {
          const mine = rulesState.get(node)!
          for (const svc of config.services) {
            mine.set(servicePort(svc), podsBySvc.get(svc.name)!.filter((p) => p.ready).map((p) => `${p.ip}:${svc.port}`).sort())
          }
          rulesRecord(t + rulesDelay + i * 37 * MS, node)
        },
      })
    }
  }

  records.push({ kind: "phase", t: 0, name: "steady" })
  for (const svc of config.services) {
    podsBySvc.set(svc.name, Array.from({ length: svc.replicas }, (_, r) => newPod(svc, r)))
    records.push({
      kind: "service", t: 0, service: servicePort(svc), type: "ClusterIP", clusterIP: `10.96.0.${10 + config.services.indexOf(svc)}`,
      port: svc.port, protocol: "TCP", nodePort: null, sessionAffinity: svc.affinity === true ? "ClientIP" : "None",
      affinityTimeoutSeconds: svc.affinity === true ? (svc.affinityTimeoutSeconds ?? 10800) : null,
      externalTrafficPolicy: null, internalTrafficPolicy: "Cluster", deleted: false,
    })
    endpointsRecord(0, svc)
  }
  for (const node of nodes) {
    const mine = new Map<string, string[]>()
    for (const svc of config.services) mine.set(servicePort(svc), podsBySvc.get(svc.name)!.map((p) => `${p.ip}:${svc.port}`).sort())
    rulesState.set(node, mine)
    rulesRecord(0, node)
  }

  for (const c of config.churn ?? []) {
    const svc = config.services.find((s) => s.name === c.service)!
    const t = c.at * S
    changes.push({
      t,
      apply: () => {
        const pods = podsBySvc.get(svc.name)!
        const victim = pods[c.replica % pods.length]!
        phase = `churn ${svc.name}`
        records.push({ kind: "phase", t, name: phase })
        records.push({ kind: "action", t, actor: "scenario", verb: "kill", object: `Pod default/${victim.name}`, detail: null })
        victim.alive = false
        changes.push({
          t: t + endpointsDelay,
          apply: () => {
            victim.ready = false
            records.push({ kind: "action", t: t + endpointsDelay, actor: "kubelet/" + victim.node, verb: "not-ready", object: `Pod default/${victim.name}`, detail: null })
            const list = podsBySvc.get(svc.name)!
            list.splice(list.indexOf(victim), 1)
            endpointsRecord(t + endpointsDelay, svc)
            syncRules(t + endpointsDelay)
          },
        })
        const startAt = t + 2 * S
        changes.push({
          t: startAt,
          apply: () => {
            const fresh = newPod(svc, c.replica)
            podsBySvc.get(svc.name)!.push(fresh)
            records.push({ kind: "action", t: startAt, actor: "kubelet/" + fresh.node, verb: "ready", object: `Pod default/${fresh.name}`, detail: null })
            endpointsRecord(startAt, svc)
            syncRules(startAt)
          },
        })
      },
    })
  }

  let phaseWeights: SyntheticPhase["actualWeights"] = undefined
  for (const p of config.phases ?? []) {
    changes.push({
      t: p.at * S,
      apply: () => {
        phase = p.name
        phaseWeights = p.actualWeights
        records.push({ kind: "phase", t: p.at * S, name: p.name })
      },
    })
  }

  // Clients: busybox-like pods spread over nodes.
  const clients = Array.from({ length: config.clients }, (_, i) => ({
    name: `client-${i}`,
    ip: `10.244.${(i % config.nodes) + 1}.${200 + i}`,
    node: nodes[i % nodes.length]!,
  }))
  type Issue = { t: number; client: number; svc: number }
  const issues: Issue[] = []
  for (let c = 0; c < clients.length; c++) {
    for (let s = 0; s < config.services.length; s++) {
      let t = (rng.int(config.intervalMs) + 1) * MS
      while (t < config.seconds * S) {
        issues.push({ t, client: c, svc: s })
        t += (config.intervalMs + rng.int(Math.max(1, config.intervalMs / 5))) * MS
      }
    }
  }
  issues.sort((a, b) => a.t - b.t || a.client - b.client || a.svc - b.svc)

  // kube-proxy `recent` state per node: node → service → clientIp → { endpoint, last }.
  const affinity = new Map<string, { endpoint: string; last: number }>()
  const lastConn = new Map<string, { connection: number; endpoint: string }>()
  let requestId = 0
  let connectionId = 0
  let lookupId = 0
  const applyUntil = (t: number): void => {
    changes.sort((a, b) => a.t - b.t)
    while (changes.length > 0 && changes[0]!.t <= t) changes.shift()!.apply()
  }
  for (const issue of issues) {
    applyUntil(issue.t)
    const client = clients[issue.client]!
    const svc = config.services[issue.svc]!
    const sp = servicePort(svc)
    const pods = podsBySvc.get(svc.name)!
    // A DNS lookup before every tenth request: search list expansion with ndots:5 as resolv.conf gives a pod.
    if (requestId % 10 === 0) {
      lookupId++
      records.push({ kind: "dns", t: issue.t, lookup: lookupId, client: client.name, name: `${svc.name}.default.svc.cluster.local.`, qtype: "A", server: "10.96.0.10:53", rcode: "NOERROR", answers: 1, latency: 400_000 })
      if (requestId % 30 === 0) {
        records.push({ kind: "dns", t: issue.t + 500_000, lookup: lookupId, client: client.name, name: `${svc.name}.default.svc.cluster.local.`, qtype: "AAAA", server: "10.96.0.10:53", rcode: "NXDOMAIN", answers: 0, latency: 300_000 })
      }
    }
    const ruleEps = rulesState.get(client.node)!.get(sp) ?? []
    const connKey = `${client.ip}/${sp}`
    const prevConn = lastConn.get(connKey)
    let endpoint: string | null = null
    let connection: number
    if (prevConn !== undefined && rng.next() < (config.keepAlive ?? 0) && pods.some((p) => p.alive && `${p.ip}:${svc.port}` === prevConn.endpoint)) {
      endpoint = prevConn.endpoint
      connection = prevConn.connection
    } else {
      connection = ++connectionId
      const affKey = `${client.node}/${sp}/${client.ip}`
      const held = affinity.get(affKey)
      const timeout = (svc.affinityTimeoutSeconds ?? 10800) * S
      if (svc.affinity === true && held !== undefined && issue.t - held.last <= timeout && ruleEps.includes(held.endpoint) && !(rng.next() < (svc.affinityLeak ?? 0))) {
        endpoint = held.endpoint
      } else if (ruleEps.length > 0) {
        const weights = ruleEps.map((e) => {
          const replica = pods.findIndex((p) => `${p.ip}:${svc.port}` === e)
          return (phaseWeights?.[svc.name] ?? svc.actualWeights)?.[replica] ?? 1
        })
        endpoint = ruleEps[rng.pick(weights)]!
      }
      if (endpoint !== null) affinity.set(affKey, { endpoint, last: issue.t })
    }
    if (endpoint !== null) lastConn.set(connKey, { connection, endpoint })
    const pod = endpoint === null ? undefined : everPod.get(endpoint)
    const base = (2 + rng.int(8)) * MS + (config.extraLatencyMs ?? 0) * MS
    let outcome: "ok" | "failed" = "ok"
    let cause: string | null = null
    let latency = base
    if (endpoint === null) {
      outcome = "failed"
      cause = "rejected"
      latency = 1 * MS
    } else if (pod === undefined || !pod.alive) {
      outcome = "failed"
      cause = rng.next() < 0.7 ? "refused" : "timeout"
      latency = cause === "refused" ? 1 * MS : 1 * S
    }
    records.push({
      kind: "request", id: ++requestId, t: issue.t, end: issue.t + latency, client: client.name, clientIp: client.ip,
      phase, service: sp, url: `http://${svc.name}/`, dst: `10.96.0.${10 + issue.svc}:${svc.port}`, node: client.node,
      endpoint, pod: pod?.name ?? null, sourceIp: client.ip, outcome, cause, latency,
      status: outcome === "ok" ? 200 : null, connection,
    })
  }
  applyUntil(config.seconds * S)
  records.push({ kind: "run-end", t: config.seconds * S, events: records.length * 7, traceHash: hash16(config.seed, records.length) })
  return {
    meta: { scenario: "synthetic", variant: config.variant ?? "baseline", seed: config.seed, traceHash: hash16(config.seed, records.length) },
    records,
  }
}

const hash16 = (seed: number, n: number): string =>
  (((seed * 2654435761) >>> 0).toString(16).padStart(8, "0") + ((n * 40503) >>> 0).toString(16).padStart(8, "0")).slice(0, 16)
