import {
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Labels,
  type Node,
  type Pod,
  type Service,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  deepEqual,
} from "../../api/index"
import { type ApiStore, INDEX_SLICE_POD } from "../../store/index"
import { servicePortName, type EndpointEntry, type RecordLog } from "../../../records/index"
import type { Nanos, Rng, Simulation } from "../../../sim/index"
import type { ControllerDelay } from "../util/delay"
import { generateName } from "../util/names"
import { controllerRef, keyOf, splitKey } from "../util/pods"
import { canonicalJson } from "../util/template-hash"
import { ControllerLoop } from "../util/controller-loop"
import { servicesSelecting } from "../util/selecting"
import { endpointIdentity, endpointPorts, podToEndpoint, shouldPodBeInEndpoints } from "./desired-endpoints"
import { endpointWithoutHints, hintHeuristicFor, topologyAnnotationEnabled } from "./traffic-distribution"
import { TopologyCache } from "./topology-cache"

/** The managed-by value of slices this controller owns (`ControllerName`). */
export const ENDPOINTSLICE_CONTROLLER_NAME = "endpointslice-controller.k8s.io"
/** core/v1 `IsHeadlessService` label. */
export const LABEL_HEADLESS = "service.kubernetes.io/headless"

export interface EndpointSliceControllerConfig {
  readonly watchDelay?: Nanos
  /** Processing time of one sync by the single worker (keys wait FIFO behind it). Default uniform 1–5 ms. */
  readonly syncDelay?: ControllerDelay
  /** `--endpointslice-updates-batch-period`: pod changes wait this long so several land in one sync. Default 0. */
  readonly batchPeriod?: Nanos
  /** `--max-endpoints-per-slice`, default 100. */
  readonly maxEndpointsPerSlice?: number
  /** Receives an `endpoints` record whenever a service port's endpoints change. */
  readonly log?: RecordLog
}

const ACTOR = "endpointslice-controller"

/** What `updateNode` compares: readiness and the zone label. */
const nodeTopologyState = (n: Node): string =>
  `${n.status.conditions?.find((c) => c.type === "Ready")?.status ?? "True"}/${n.metadata.labels?.["topology.kubernetes.io/zone"] ?? ""}`

const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0)

/** Mutable working copy of a slice during one reconcile. */
interface Draft {
  name: string
  existing: EndpointSlice | undefined
  endpoints: Endpoint[]
  labels: Labels
  ports: EndpointPort[]
}

/**
 * The EndpointSlice controller (pkg/controller/endpointslice, staging/src/k8s.io/endpointslice reconciler.go): for
 * every Service with a selector, IPv4 EndpointSlices named `<service>-<5 chars>` holding the selected pods that
 * have an IP — grouped by their resolved ports (named targetPorts looked up in each pod's container ports), at most
 * `maxEndpointsPerSlice` a slice, with ready/serving/terminating conditions, nodeName and zone — updated with
 * upstream's placement (keep, fill updated slices, best-fit an unchanged one, else create; a placeholder slice when
 * there are none); hints for the topology-mode annotation (topology-cache.ts, zones' CPU shares) or else for
 * `spec.trafficDistribution` (traffic-distribution.ts). Not modelled: the trigger-time annotation, Events, reacting
 * to slices edited by others.
 */
export class EndpointSliceController {
  private readonly loop: ControllerLoop
  /** The "endpointslice-controller" stream: sync delays and slice names. */
  private readonly rng: Rng
  /** Last `endpoints` record per service port, to write only changes. */
  private readonly lastRecorded = new Map<string, string>()
  private readonly servicePorts = new Map<string, string[]>()
  /** endpointslice_controller.go `topologyCache` (the TopologyAwareHints gate is GA and on). */
  readonly topologyCache = new TopologyCache()
  /** Each Node's readiness and zone as last seen, for `updateNode`; undefined until the Node watch starts. */
  private nodeStates: Map<string, string> | undefined

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: EndpointSliceControllerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.sync(key), config)
    this.rng = this.loop.rng
  }

  get maxEndpointsPerSlice(): number {
    return this.config.maxEndpointsPerSlice ?? 100
  }

  start(): void {
    this.loop.start("EndpointSliceController")
    this.loop.watch("Service", (e) => this.enqueue(keyOf(e.object), 0), true)
    this.loop.watch("Pod", (e) => this.podChanged(e.object))
  }

  /**
   * The Node informer (endpointslice_controller.go addNode/updateNode/deleteNode → checkNodeTopologyDistribution).
   * Started when the first annotated Service is synced: until then the topology cache serves nobody, and a Node
   * watch would only add events to runs that never use it.
   */
  private watchNodes(): void {
    if (this.nodeStates !== undefined) return
    const states = new Map<string, string>()
    this.nodeStates = states
    for (const n of this.store.list("Node")) states.set(n.metadata.name, nodeTopologyState(n))
    this.topologyCache.setNodes(this.store.list("Node"))
    this.loop.watch("Node", (e) => {
      const name = e.object.metadata.name
      if (e.type === "DELETED") {
        states.delete(name)
      } else {
        const before = states.get(name)
        const now = nodeTopologyState(e.object)
        states.set(name, now)
        // updateNode: only a change of readiness or zone label (added asynchronously by cloud providers) counts.
        if (e.type === "MODIFIED" && before === now) return
      }
      this.checkNodeTopologyDistribution()
    })
  }

  /** endpointslice_controller.go `checkNodeTopologyDistribution`: new zone shares; re-sync overloaded Services. */
  private checkNodeTopologyDistribution(): void {
    this.topologyCache.setNodes(this.store.list("Node"))
    for (const key of this.topologyCache.overloadedServices()) this.enqueue(key, 0)
  }

  private enqueue(key: string, extra: Nanos): void {
    this.loop.add(key, extra)
  }

  /**
   * endpointslice_controller.go `onPodUpdate` → `queueServiceForEndpointSlice` after the batch period: the Services
   * selecting the pod (through the store's selector index) and — a pod whose labels stopped matching must still
   * leave them — the Services whose slices hold it (through the slices' pod index); queued in name order.
   */
  private podChanged(pod: Pod): void {
    const ns = pod.metadata.namespace ?? "default"
    const batch = this.config.batchPeriod ?? 0
    const hits = new Map<string, Service>()
    for (const svc of servicesSelecting(this.store, pod)) hits.set(svc.metadata.name, svc)
    for (const slice of this.store.byIndex("EndpointSlice", INDEX_SLICE_POD, `${ns}/${pod.metadata.name}`)) {
      const labels = slice.metadata.labels
      const svcName = labels?.[LABEL_SERVICE_NAME]
      if (svcName === undefined || labels?.[LABEL_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER_NAME || (slice.metadata.namespace ?? "default") !== ns || hits.has(svcName)) continue
      const svc = this.store.get("Service", ns, svcName)
      if (svc?.spec.selector !== undefined) hits.set(svcName, svc)
    }
    for (const name of [...hits.keys()].sort()) this.enqueue(keyOf(hits.get(name) as Service), batch)
  }

  private slicesOf(ns: string, svcName: string): EndpointSlice[] {
    return this.store.list("EndpointSlice", { namespace: ns, labelSelector: { matchLabels: { [LABEL_SERVICE_NAME]: svcName, [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME } } })
  }

  /** endpointslice_controller.go `syncService`. */
  sync(key: string): void {
    const [nsOrUndef, name] = splitKey(key)
    const ns = nsOrUndef ?? "default"
    const svc = this.store.get("Service", ns, name)
    const existing = this.slicesOf(ns, name)
    if (svc === undefined || svc.spec.type === "ExternalName") {
      // Deleted Services lose their slices (garbage collection through the owner reference); ExternalName ones too.
      for (const s of existing) this.store.delete("EndpointSlice", ns, s.metadata.name)
      this.record(ns, name, svc)
      return
    }
    if (svc.spec.selector === undefined) return
    const selector = svc.spec.selector
    const pods = this.store.list("Pod", { namespace: ns, labelSelector: { matchLabels: selector } }).filter(shouldPodBeInEndpoints)
    this.reconcile(svc, pods, existing)
    this.record(ns, name, svc)
  }

  /** reconciler.go `reconcileByAddressType` for IPv4. */
  private reconcile(svc: Service, pods: Pod[], existing: EndpointSlice[]): void {
    const ns = svc.metadata.namespace ?? "default"
    const desiredByPorts = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>()
    for (const pod of pods) {
      const node = pod.spec.nodeName === undefined || pod.spec.nodeName === "" ? undefined : this.store.get("Node", undefined, pod.spec.nodeName)
      // reconciler.go: a pod on a node that does not exist is skipped unless not-ready addresses are published.
      if (pod.spec.nodeName !== undefined && pod.spec.nodeName !== "" && node === undefined && svc.spec.publishNotReadyAddresses !== true) continue
      const ports = endpointPorts(svc, pod)
      const k = canonicalJson(ports)
      let group = desiredByPorts.get(k)
      if (group === undefined) {
        group = { ports, endpoints: new Map() }
        desiredByPorts.set(k, group)
      }
      const ep = podToEndpoint(pod, node, svc)
      if (ep.addresses.length > 0) group.endpoints.set(endpointIdentity(ep), ep)
    }
    const existingByPorts = new Map<string, EndpointSlice[]>()
    for (const s of existing) {
      const k = canonicalJson(s.ports ?? [])
      existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s])
    }
    const labels = this.sliceLabels(svc)
    const toCreate: Draft[] = []
    const toUpdate: Draft[] = []
    const toDelete: EndpointSlice[] = []
    const unchanged: Draft[] = []
    for (const [k, group] of desiredByPorts) {
      const r = this.reconcileByPortMapping(existingByPorts.get(k) ?? [], group.endpoints, group.ports, labels)
      toCreate.push(...r.create)
      toUpdate.push(...r.update)
      toDelete.push(...r.delete)
      unchanged.push(...r.unchanged)
    }
    for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) toDelete.push(...slices)
    // A Service with no slices gets a placeholder with no ports and no endpoints.
    if (existing.length === toDelete.length && toCreate.length === 0) {
      const i = toDelete.findIndex((s) => (s.ports ?? []).length === 0 && s.endpoints.length === 0 && deepEqual(s.metadata.labels, labels))
      if (toDelete.length === 1 && i === 0) toDelete.length = 0
      else toCreate.push({ name: "", existing: undefined, endpoints: [], labels, ports: [] })
    }
    // reconciler.go: the topology annotation wins — the topology cache's hints (AddHints), trafficDistribution
    // ignored; otherwise the cache forgets the Service and trafficdist.ReconcileHints runs: unchanged slices with
    // missing or stale hints join the updates; every slice created or updated gets the heuristic's hints
    // (PreferClose/PreferSameZone/PreferSameNode, else none — RemoveHintsFromSlices).
    const key = `${ns}/${svc.metadata.name}`
    if (topologyAnnotationEnabled(svc)) {
      this.watchNodes()
      // AddHints moves unchanged slices that need new hints into toUpdate (the same array).
      this.topologyCache.addHints({ serviceKey: key, toCreate, toUpdate, unchanged })
    } else {
      this.topologyCache.removeHints(key)
      const hints = hintHeuristicFor(svc)
      for (const u of unchanged) if (hints.needsUpdate(u.endpoints)) toUpdate.push(u)
      for (const d of toCreate) d.endpoints = hints.update(d.endpoints)
      for (const d of toUpdate) d.endpoints = hints.update(d.endpoints)
    }
    // reconciler.go `finalize`: turn creates into updates of slices that would be deleted.
    while (toCreate.length > 0 && toDelete.length > 0) {
      const d = toDelete.shift() as EndpointSlice
      const c = toCreate.pop() as Draft
      toUpdate.push({ ...c, name: d.metadata.name, existing: d })
    }
    for (const c of toCreate) {
      let sliceName = generateName(this.rng, `${svc.metadata.name}-`)
      while (this.store.get("EndpointSlice", ns, sliceName) !== undefined) sliceName = generateName(this.rng, `${svc.metadata.name}-`)
      this.store.create(this.sliceOf(svc, sliceName, c, undefined))
    }
    for (const u of toUpdate) this.store.update(this.sliceOf(svc, u.name, u, u.existing))
    for (const d of toDelete) this.store.delete("EndpointSlice", ns, d.metadata.name)
  }

  /** reconciler.go `reconcileByPortMapping`. */
  private reconcileByPortMapping(
    existing: EndpointSlice[],
    desired: Map<string, Endpoint>,
    ports: EndpointPort[],
    labels: Labels,
  ): { create: Draft[]; update: Draft[]; delete: EndpointSlice[]; unchanged: Draft[] } {
    const max = this.maxEndpointsPerSlice
    const update: Draft[] = []
    const unchanged: Draft[] = []
    const del: EndpointSlice[] = []
    // 1. Keep desired endpoints where they are (updated if changed), drop the rest.
    for (const s of existing.slice().sort(byName)) {
      const kept: Endpoint[] = []
      let changed = false
      for (const e of s.endpoints) {
        const id = endpointIdentity(e)
        const want = desired.get(id)
        if (want === undefined) continue
        kept.push(want)
        // EndpointsEqualBeyondHash: hints are the hint heuristic's business, not a change of the endpoint.
        if (!deepEqual(want, endpointWithoutHints(e))) changed = true
        desired.delete(id)
      }
      const labelsChanged = !deepEqual(s.metadata.labels ?? {}, labels)
      const draft: Draft = { name: s.metadata.name, existing: s, endpoints: kept, labels, ports }
      if (changed || kept.length !== s.endpoints.length) {
        if (kept.length === 0) del.push(s)
        else update.push(draft)
      } else if (labelsChanged) update.push(draft)
      else unchanged.push({ ...draft, endpoints: s.endpoints.slice() })
    }
    const left = [...desired.values()]
    // 2. Fill the slices being updated anyway, fullest first.
    if (left.length > 0 && update.length > 0) {
      for (const d of update.slice().sort((a, b) => b.endpoints.length - a.endpoints.length)) {
        while (left.length > 0 && d.endpoints.length < max) d.endpoints.push(left.shift() as Endpoint)
      }
    }
    // 3. Best-fit the rest into one unchanged slice (`getSliceToFill`), else create new slices.
    const create: Draft[] = []
    while (left.length > 0) {
      let fill: Draft | undefined
      if (left.length < max && unchanged.length > 0) {
        let closest = max
        for (const u of unchanged) {
          const diff = max - (left.length + u.endpoints.length)
          if (diff >= 0 && diff < closest) {
            closest = diff
            fill = u
            if (diff === 0) break
          }
        }
      }
      if (fill === undefined) {
        fill = { name: "", existing: undefined, endpoints: [], labels, ports }
        create.push(fill)
      } else {
        unchanged.splice(unchanged.indexOf(fill), 1)
        update.push(fill)
      }
      while (left.length > 0 && fill.endpoints.length < max) fill.endpoints.push(left.shift() as Endpoint)
    }
    return { create, update, delete: del, unchanged }
  }

  /** utils.go `setEndpointSliceLabels`: the Service's labels, the headless marker, service-name and managed-by. */
  private sliceLabels(svc: Service): Labels {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) out[k] = v
    if (svc.spec.clusterIP === "None" || svc.spec.clusterIP === undefined || svc.spec.clusterIP === "") out[LABEL_HEADLESS] = ""
    out[LABEL_SERVICE_NAME] = svc.metadata.name
    out[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER_NAME
    return out
  }

  /** utils.go `newEndpointSlice`: generateName `<service>-`, owned by the Service. */
  private sliceOf(svc: Service, name: string, d: Draft, existing: EndpointSlice | undefined): EndpointSlice {
    return {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        ...(existing?.metadata ?? {}),
        name,
        generateName: existing?.metadata.generateName ?? `${svc.metadata.name}-`,
        namespace: svc.metadata.namespace ?? "default",
        labels: d.labels,
        ownerReferences: [controllerRef(svc)],
      },
      addressType: "IPv4",
      endpoints: d.endpoints,
      ports: d.ports,
    }
  }

  /** Writes an `endpoints` record for each service port whose endpoints differ from the last record. */
  private record(ns: string, name: string, svc: Service | undefined): void {
    const log = this.config.log
    if (log === undefined) return
    const key = `${ns}/${name}`
    const portNames = svc === undefined || svc.spec.type === "ExternalName" ? [] : svc.spec.ports.map((p) => p.name ?? "")
    const gone = (this.servicePorts.get(key) ?? []).filter((p) => !portNames.includes(p))
    this.servicePorts.set(key, portNames)
    const slices = this.slicesOf(ns, name)
    for (const portName of [...portNames, ...gone]) {
      const entries: EndpointEntry[] = []
      if (portNames.includes(portName)) {
        for (const s of slices) {
          const port = s.ports?.find((p) => p.name === portName)
          if (port?.port === undefined) continue
          for (const e of s.endpoints) {
            for (const a of e.addresses) {
              entries.push({
                endpoint: `${a}:${port.port}`,
                pod: e.targetRef?.name ?? "",
                node: e.nodeName ?? "",
                ready: e.conditions.ready ?? true,
                serving: e.conditions.serving ?? true,
                terminating: e.conditions.terminating ?? false,
              })
            }
          }
        }
      }
      entries.sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0))
      const spn = servicePortName(ns, name, portName)
      const text = JSON.stringify(entries)
      if (this.lastRecorded.get(spn) === text) continue
      if (entries.length === 0 && !this.lastRecorded.has(spn)) {
        this.lastRecorded.set(spn, text)
        continue
      }
      this.lastRecorded.set(spn, text)
      log.append({ kind: "endpoints", t: this.sim.now, service: spn, endpoints: entries })
    }
  }
}
