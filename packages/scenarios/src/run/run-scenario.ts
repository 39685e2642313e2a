import { type Nanos, type Rng, api, apps, cluster, dns, formatDuration, parseDuration, type records } from "@kubesim/core"
import { expandChurn, churnStreamName, sortByTime } from "../churn/expand-churn"
import type { TimedAction, TimedOperation } from "../churn/timed-action"
import type { LoadedScenario } from "../format/load-scenario"
import type { ActionSpec, ClientSpec } from "../format/schema"
import { ScenarioError, issueWithMessage } from "../format/scenario-issue"
import { clientMode, startTraffic, type TrafficDriver } from "../traffic/traffic-drivers"
import { type PrepareOptions, type PreparedScenario, prepareScenario } from "../validate/prepare-scenario"
import { clusterConfigOf } from "./cluster-config-of"
import { checkClusterFits } from "./cluster-memory"
import { performOperation } from "./operations"
import { KUBESIM_VERSION, type RunJson } from "./run-json"
import { renderSummary } from "./summary"

export interface RunOptions extends PrepareOptions {
  readonly seed: number
  /** Written into run.json; default this package's KUBESIM_VERSION. */
  readonly kubesimVersion?: string
  /** For the CLI (progress bar, inspection at a time, packet traces); none of it changes the run. */
  readonly observe?: RunObserver
}

/**
 * Hooks into a run. `onCluster` sees the cluster before it runs (to install a packet observer); with `onProgress`
 * the run advances in 1/200-of-the-duration slices, which process the same events as one call (same trace hash);
 * `stopAt` ends the simulation early and `onStop` gets the live cluster there (`kubesim get --at 30s`): the result
 * is then that of the shortened run.
 */
export interface RunObserver {
  readonly onCluster?: (c: cluster.Cluster) => void
  readonly onProgress?: (now: Nanos, duration: Nanos, events: number) => void
  readonly stopAt?: Nanos
  readonly onStop?: (c: cluster.Cluster) => void
}

/** Everything a run produced; `writeRunDir` writes it. */
export interface ScenarioRunResult {
  readonly runJson: RunJson
  readonly records: ReadonlyArray<records.RunRecord>
  /**
   * records.jsonl (docs/records.md) as chunks of whole lines, serialised anew on each iteration as they are taken
   * (a big run's text is several GB: more than one string, and more than fits beside the run in the heap).
   */
  readonly recordsChunks: Iterable<string>
  readonly summary: string
  readonly traceHash: string
  readonly events: number
  /** Requests the generators issued (pod wget loops started by containers are counted in the records only). */
  readonly issued: number
}

/** A failure during the run itself (an apply the API server rejected): which action, at what time, why. */
export class ScenarioRunError extends Error {
  override readonly name = "ScenarioRunError"
}

/** One step of the scenario's timeline, the payload of the `scenario/step` event kind. */
interface Step {
  readonly source: string
  readonly phase?: string
  readonly operation?: TimedOperation
  readonly action?: { readonly index: number; readonly spec: ActionSpec }
}

const POD_WAIT: Nanos = 100_000_000

/**
 * Runs a scenario on the core's Cluster: validates it (variant and `--set` applied), builds the cluster, applies
 * the manifests at 0, schedules the actions and the churn generators' schedules, starts the clients' traffic,
 * runs to `duration`, and returns records, trace hash, run.json and summary. A pure function of (scenario, options):
 * two runs with one seed give byte-identical records.
 */
export const runScenario = (loaded: LoadedScenario, options: RunOptions): ScenarioRunResult => {
  const prepared = prepareScenario(loaded, options)
  checkClusterFits(prepared)
  const { config, externals } = clusterConfigOf(prepared, options.seed)
  const c = cluster.Cluster.create(config)
  const sim = c.sim
  const s = prepared.scenario

  // The timeline: actions in listed order, then churn, sorted by time (ties keep that order).
  const timeline: Array<{ at: Nanos; step: Step }> = []
  ;(s.actions ?? []).forEach((a, i) => {
    timeline.push({ at: parseDuration(a.at), step: { source: `actions[${i}]`, ...(a.phase !== undefined ? { phase: a.phase } : {}), action: { index: i, spec: a } } })
  })
  const churn: TimedAction[] = []
  ;(s.churn ?? []).forEach((spec, i) => churn.push(...expandChurn(spec, i, sim.rng(churnStreamName(i)), prepared.duration)))
  for (const t of sortByTime(churn)) timeline.push({ at: t.at, step: { source: t.source, operation: t.operation } })
  const ordered = timeline.map((x, i) => [x, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1])

  const opRng = sim.rng("scenario/actions")
  const stepKind = sim.defineKind<Step>("scenario/step", (step) => {
    if (step.phase !== undefined) {
      c.env.phase = step.phase
      c.records.append({ kind: "phase", t: sim.now, name: step.phase })
    }
    if (step.operation !== undefined) performOperation(c, step.operation, opRng, step.source)
    if (step.action !== undefined) runAction(c, prepared, step.action.index, step.action.spec, opRng)
  })

  // Manifests at time 0, before anything else, as `kubectl apply -f` of each file in order.
  applyObjects(c, prepared.manifests, "manifests")
  for (const [{ at, step }, i] of ordered) sim.at(at, stepKind, step, i)

  const drivers: TrafficDriver[] = []
  ;(s.clients ?? []).forEach((spec) => startClient(c, spec, externals.find((e) => e.client === spec.name)?.hosts ?? [], prepared.duration, drivers))

  const o = options.observe
  o?.onCluster?.(c)
  const stopAt = o?.stopAt === undefined ? prepared.duration : Math.min(o.stopAt, prepared.duration)
  if (o?.onProgress === undefined) c.runUntil(stopAt)
  else {
    const step = Math.max(1, Math.ceil(prepared.duration / 200))
    for (let t = Math.min(step, stopAt); ; t = Math.min(t + step, stopAt)) {
      c.runUntil(t)
      o.onProgress(t, prepared.duration, sim.eventsProcessed)
      if (t >= stopAt) break
    }
  }
  o?.onStop?.(c)
  const log = c.finish()
  const recs = log.records
  const end = recs[recs.length - 1] as records.RunEndRecord
  const recordsChunks: Iterable<string> = { [Symbol.iterator]: () => log.jsonlChunks() }
  const runJson: RunJson = {
    kubesimVersion: options.kubesimVersion ?? KUBESIM_VERSION,
    scenario: s.metadata.name,
    variant: prepared.variant,
    seed: options.seed,
    traceHash: end.traceHash,
    events: end.events,
    duration: formatDuration(prepared.duration),
    resolved: prepared.resolved,
  }
  const summary = renderSummary({ scenario: runJson.scenario, variant: runJson.variant, seed: runJson.seed, duration: runJson.duration, traceHash: runJson.traceHash, events: runJson.events }, recs)
  return { runJson, records: recs, recordsChunks, summary, traceHash: end.traceHash, events: end.events, issued: drivers.reduce((n, d) => n + d.issued, 0) }
}

const applyObjects = (c: cluster.Cluster, objects: PreparedScenario["manifests"], source: string): void => {
  for (const d of objects) {
    try {
      c.apply(d.object, { file: `${d.file}:${d.line}` })
    } catch (e) {
      if (e instanceof cluster.ClusterApplyError) throw new ScenarioRunError(`${source} at ${formatDuration(c.sim.now)}: ${e.message}`)
      throw e
    }
  }
}

const runAction = (c: cluster.Cluster, p: PreparedScenario, index: number, a: ActionSpec, rng: Rng): void => {
  const source = `actions[${index}]`
  if (a.apply !== undefined) return applyObjects(c, p.actionObjects.get(index) ?? [], source)
  if (a.delete !== undefined) {
    if ("kind" in a.delete) {
      c.delete(a.delete.kind as api.Kind, a.delete.namespace ?? "default", a.delete.name)
      return
    }
    for (const d of p.actionObjects.get(index) ?? []) c.delete(d.object.kind, d.object.metadata.namespace ?? (d.object.kind === "Node" || d.object.kind === "Namespace" ? undefined : "default"), d.object.metadata.name)
    return
  }
  const op = operationOf(a)
  if (op !== undefined) performOperation(c, op, rng, source)
}

/** An action entry's verb as a timed operation (apply and delete are handled with their manifests). */
export const operationOf = (a: ActionSpec): TimedOperation | undefined => {
  const ns = (x: { namespace?: string | undefined }) => x.namespace ?? "default"
  if (a.scale !== undefined) return { op: "scale", deployment: a.scale.deployment, namespace: ns(a.scale), replicas: a.scale.replicas }
  if (a.rollout !== undefined) return { op: "rollout", deployment: a.rollout.deployment, namespace: ns(a.rollout), ...(a.rollout.image !== undefined ? { image: a.rollout.image } : {}) }
  if (a.kill !== undefined) {
    const g = a.kill.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: a.kill.gracePeriodSeconds } : {}
    if (a.kill.pod !== undefined) return { op: "kill-pod", pod: a.kill.pod, namespace: ns(a.kill), ...g }
    return { op: "kill", selector: a.kill.selector ?? {}, namespace: ns(a.kill), count: a.kill.count ?? 1, ...g }
  }
  if (a.failNode !== undefined) return { op: "fail-node", node: a.failNode }
  if (a.recoverNode !== undefined) return { op: "recover-node", node: a.recoverNode }
  if (a.setReadiness !== undefined) {
    const r = a.setReadiness
    return { op: "set-readiness", namespace: ns(r), ready: r.ready, ...(r.pod !== undefined ? { pod: r.pod } : {}), ...(r.selector !== undefined ? { selector: r.selector } : {}) }
  }
  return undefined
}

/** Waits (polling every 100 ms of simulated time) for a pod to have a sandbox, then starts its traffic. */
class PodClientStarter implements apps.AppTimer {
  constructor(
    private readonly c: cluster.Cluster,
    private readonly spec: ClientSpec,
    private readonly start: Nanos,
    private readonly stop: Nanos,
    private readonly drivers: TrafficDriver[],
  ) {}
  onAppTimer(): void {
    const c = this.c
    const ns = this.spec.namespace ?? "default"
    const pod = this.spec.pod as string
    const host = c.podHost(pod, ns)
    const p = c.store.get("Pod", ns, pod)
    const node = p?.spec.nodeName
    const conf = node === undefined ? undefined : c.nodes.get(node)?.kubelet.resolvConf(ns, pod)
    if (host === null || node === undefined || conf === undefined) {
      if (c.sim.now + POD_WAIT < this.stop) c.sim.after(POD_WAIT, c.env.timerKind, this)
      return
    }
    const resolver = new apps.StubResolverDriver(host, c.env, { client: this.spec.name, conf, flavour: "musl" })
    const client = new apps.HttpClient(host, c.env, { name: this.spec.name, resolver, labeller: labeller(c, node), ...clientTimeouts(this.spec), mode: clientMode(this.spec.traffic) })
    this.drivers.push(startTraffic(this.spec.traffic, [client], c.sim.rng(`scenario/client/${this.spec.name}`), Math.max(this.start, c.sim.now), this.stop))
  }
}

const labeller = (c: cluster.Cluster, node: string | null): apps.RequestLabeller =>
  cluster.requestLabeller({ store: c.store, nodeByIp: new Map([...c.nodes.values()].map((n) => [n.ip, n.name] as const)), nodeHost: (n) => c.fabric.node(n) }, node)

const clientTimeouts = (spec: ClientSpec): { connectTimeout?: Nanos; responseTimeout?: Nanos } => {
  const t = spec.traffic.timeout
  return t === undefined ? {} : { connectTimeout: parseDuration(t), responseTimeout: parseDuration(t) }
}

const startClient = (c: cluster.Cluster, spec: ClientSpec, hosts: ReadonlyArray<{ name: string }>, duration: Nanos, drivers: TrafficDriver[]): void => {
  const start = spec.traffic.start === undefined ? 0 : parseDuration(spec.traffic.start)
  const stop = spec.traffic.stop === undefined ? duration : parseDuration(spec.traffic.stop)
  if (spec.pod !== undefined) {
    c.sim.at(start, c.env.timerKind, new PodClientStarter(c, spec, start, stop, drivers))
    return
  }
  const upstream = c.config.upstreamDns.ip
  const clients = hosts.map((h) => {
    const host = c.externalHosts.get(h.name)
    if (host === undefined) throw new ScenarioError([issueWithMessage("<cluster>", "clients", "an external host", h.name, `the cluster has no external host "${h.name}"`)])
    // A host outside the cluster resolves through the upstream DNS server (no cluster search domains).
    const conf = dns.parseResolvConf(`nameserver ${upstream}\n`, `${h.name} /etc/resolv.conf`)
    const resolver = new apps.StubResolverDriver(host, c.env, { client: h.name, conf, flavour: "glibc" })
    return new apps.HttpClient(host, c.env, { name: h.name, resolver, labeller: labeller(c, null), ...clientTimeouts(spec), mode: clientMode(spec.traffic) })
  })
  drivers.push(startTraffic(spec.traffic, clients, c.sim.rng(`scenario/client/${spec.name}`), start, stop))
}

