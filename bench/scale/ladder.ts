/**
 * One rung of the scale ladder: a generated cluster (Deployments of 5–15 nginx replicas behind one ClusterIP
 * Service each, plain manifests) run as `kubesim run` runs a scenario, with clients on many nodes sending ~100k
 * requests once every kube-proxy has synced. Wall-clock phases are read at the run's progress ticks (1/200 of the
 * simulated duration): build (until every pod is Ready), sync (until every node's kube-proxy has landed a sync
 * after the last EndpointSlice change), traffic (the request window).
 */
import { type cluster } from "../../packages/core/src/index"
import { loadScenarioText, runScenario } from "../../packages/scenarios/src/index"
import { fiveToFifteen, generateScenario } from "./generate-cluster"

export interface Rung {
  readonly nodes: number
  readonly services: number
  /** Busybox client pods, placed by the scheduler over the nodes. */
  readonly clients: number
  readonly requests: number
  readonly podCIDR?: string
  /** Replicas of every Deployment; without it, 5–15 (`fiveToFifteen`). */
  readonly replicas?: number
}

export interface RungOutcome {
  readonly [figure: string]: number
  readonly events: number
  readonly seconds: number
  /** CPU seconds of this process (user + system): what a loaded, shared machine's wall times hide. */
  readonly cpuSeconds: number
  readonly buildSeconds: number
  readonly syncSeconds: number
  readonly requestsPerSecond: number
  readonly peakRssMB: number
  readonly pods: number
  readonly requests: number
  readonly ok: number
  readonly simulatedSeconds: number
}

const READY_INDEX = "bench/ready"
const TRAFFIC_WINDOW = 20

const replicasOf = (r: Pick<Rung, "replicas">): ((i: number) => number) => {
  const fixed = r.replicas
  return fixed === undefined ? fiveToFifteen : () => fixed
}

export const podsOf = (r: Pick<Rung, "services" | "replicas">): number => {
  const of = replicasOf(r)
  let n = 0
  for (let i = 0; i < r.services; i++) n += of(i)
  return n
}

/** With `progress`, a line on stderr at every progress tick (wall and simulated time, events, ready pods, RSS). */
export const runRung = (r: Rung, progress = false): RungOutcome => {
  const pods = podsOf(r)
  // Simulated time for the build: the scheduler binds one pod per 1–5 ms sync, then image pulls and starts.
  const trafficStart = Math.ceil(30 + pods * 0.0035)
  const duration = trafficStart + TRAFFIC_WINDOW + 6
  const rate = Math.max(1, Math.round(r.requests / (r.clients * TRAFFIC_WINDOW)))
  const text = generateScenario({
    nodes: r.nodes,
    services: r.services,
    replicasOf: replicasOf(r),
    clients: r.clients,
    rate,
    trafficStart: `${trafficStart}s`,
    trafficStop: `${trafficStart + TRAFFIC_WINDOW}s`,
    duration: `${duration}s`,
    enableServiceLinks: false,
    timeout: "5s",
    ...(r.podCIDR !== undefined ? { podCIDR: r.podCIDR } : {}),
  })
  const t0 = performance.now()
  let c: cluster.Cluster | undefined
  let readyAt: number | undefined
  let syncedAt: number | undefined
  let trafficAt: number | undefined
  let seen = 0
  let lastSliceWrite = 0
  const result = runScenario(loadScenarioText(text, `scale-${r.nodes}n-${r.services}s`), {
    seed: 1,
    observe: {
      onCluster: (cl) => {
        c = cl
        cl.store.addIndex("Pod", READY_INDEX, (o) => (o.kind === "Pod" && o.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true ? ["1"] : []))
      },
      onProgress: (now, _duration, events) => {
        const cl = c as cluster.Cluster
        const wall = performance.now()
        if (progress) process.stderr.write(`${((wall - t0) / 1000).toFixed(0)} s wall: ${(now / 1e9).toFixed(1)} s simulated, ${events} events, ${cl.store.countByIndex("Pod", READY_INDEX, "1")} pods ready, ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB\n`)
        if (trafficAt === undefined && now >= trafficStart * 1e9) trafficAt = wall
        if (readyAt === undefined) {
          if (cl.store.countByIndex("Pod", READY_INDEX, "1") >= pods + r.clients) readyAt = wall
          else return
        }
        if (syncedAt !== undefined) return
        // The last EndpointSlice write (the controller's `endpoints` records), then: has every node's kube-proxy
        // landed a sync that began after it (and after its own watch delay had passed)?
        const recs = cl.records.records
        for (; seen < recs.length; seen++) {
          const rec = recs[seen] as { readonly kind: string; readonly t: number }
          if (rec.kind === "endpoints") lastSliceWrite = rec.t
        }
        const watchDelay = cl.config.delays.watch
        if ([...cl.nodes.values()].every((n) => n.proxy.lastSyncStart >= lastSliceWrite + watchDelay)) syncedAt = wall
      },
    },
  })
  const end = performance.now()
  const requests = result.records.filter((x) => x.kind === "request")
  const ok = requests.filter((x) => x.kind === "request" && x.outcome === "ok").length
  if (readyAt === undefined || syncedAt === undefined) throw new Error(`scale-${r.nodes}n-${r.services}s: the cluster was not ${readyAt === undefined ? "ready" : "synced"} by ${duration}s simulated`)
  if (trafficAt === undefined || trafficAt < syncedAt) throw new Error(`scale-${r.nodes}n-${r.services}s: traffic started before every kube-proxy had synced; raise the build budget`)
  return {
    events: result.events,
    seconds: (end - t0) / 1000,
    cpuSeconds: round(cpuSecondsOf(process.cpuUsage())),
    buildSeconds: round((readyAt - t0) / 1000),
    syncSeconds: round((syncedAt - readyAt) / 1000),
    requestsPerSecond: Math.round(requests.length / ((end - trafficAt) / 1000)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    pods,
    requests: requests.length,
    ok,
    simulatedSeconds: duration,
  }
}

const round = (x: number): number => Number(x.toFixed(2))
const cpuSecondsOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6
