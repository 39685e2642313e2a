import { LABEL_SERVICE_NAME, type EndpointSliceView, type Protocol } from "./api-view"
import { compareEndpoints, isLocalTo, makeEndpoint, type Endpoint } from "./endpoint"
import { identityOf } from "./identity"
import { isIpv4 } from "./ip"
import { makeServicePortName, namespacedName, type NamespacedName } from "./service-port-name"

/** Endpoints of every service port, keyed by ServicePortName key, each list sorted by `ip:port` (EndpointsMap). */
export type EndpointsMap = Map<string, ReadonlyArray<Endpoint>>

/** What kube-proxy keeps of one EndpointSlice (endpointslicecache.go endpointSliceInfo). */
export interface SliceInfo {
  readonly name: string
  /** Endpoints per service port key, sorted; node-independent, shared by every node. */
  readonly byPort: ReadonlyMap<string, ReadonlyArray<Endpoint>>
  /** Stands in for reflect.DeepEqual of two infos. */
  readonly fingerprint: string
  readonly remove: boolean
  /** The same `ip:port` twice in this slice: which copy wins depends on the node, so it cannot be shared as is. */
  readonly hasDuplicates: boolean
}

interface ServiceSlices {
  readonly applied: Map<string, SliceInfo>
  /** Created on the first pending change (most Services of a cluster have none at any moment). */
  pending: Map<string, SliceInfo> | undefined
}

/** What `applyEndpointsChanges` changed: upstream's UpdateEndpointsMapResult. */
export interface UpdateEndpointsMapResult {
  readonly updatedServices: ReadonlySet<NamespacedName>
  /** A changed service had or has a UDP port: stale UDP conntrack entries may need clearing. */
  readonly conntrackCleanupRequired: boolean
}

/**
 * What every node's tracker derives from one slice object alone, derived once (every node hears the same event):
 * its Service's name and key, its info, and its removal.
 */
interface SliceKeys {
  readonly serviceName: string
  readonly service: NamespacedName
  info: SliceInfo | undefined
  removal: SliceInfo | undefined
}
const sliceKeys = new WeakMap<EndpointSliceView, SliceKeys | null>()
const NO_PORTS: ReadonlyMap<string, ReadonlyArray<Endpoint>> = new Map()

/** The slice's Service (undefined: it has no service-name label and belongs to none). */
const sliceKeysOf = (slice: EndpointSliceView): SliceKeys | undefined => {
  let k = sliceKeys.get(slice)
  if (k === undefined) {
    const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME]
    k = serviceName === undefined || serviceName === "" ? null : { serviceName, service: namespacedName(slice.metadata.namespace ?? "default", serviceName), info: undefined, removal: undefined }
    sliceKeys.set(slice, k)
  }
  return k ?? undefined
}

const removalOf = (slice: EndpointSliceView, keys: SliceKeys): SliceInfo =>
  (keys.removal ??= { name: slice.metadata.name, byPort: NO_PORTS, fingerprint: "", remove: true, hasDuplicates: false })

/** endpointslicecache.go newEndpointSliceInfo + endpointInfoByServicePort, for one slice (IPv4 family); memoised in its SliceKeys. */
const sliceInfoOf = (slice: EndpointSliceView, serviceName: string): SliceInfo => {
  const namespace = slice.metadata.namespace ?? "default"
  const byPort = new Map<string, Endpoint[]>()
  const parts: string[] = []
  // byPort sorts the slice's ports by number; duplicates of one (name, protocol) merge below.
  const ports = [...(slice.ports ?? [])].sort((a, b) => (a.port ?? 0) - (b.port ?? 0))
  for (const p of ports) {
    // endpointInfoByServicePort ignores ports without a number; an absent name is the unnamed port "".
    if (p.port === undefined || p.port === 0) continue
    const protocol: Protocol = p.protocol ?? "TCP"
    const key = makeServicePortName(namespace, serviceName, p.name ?? "", protocol).key
    let list = byPort.get(key)
    if (list === undefined) byPort.set(key, (list = []))
    parts.push(`${key}=${p.port}`)
    for (const e of slice.endpoints) {
      const ip = e.addresses[0]
      // addEndpoints: skip endpoints without addresses and those of the other IP family.
      if (ip === undefined || !isIpv4(ip)) continue
      const c = e.conditions
      const zoneHints = e.hints?.forZones !== undefined && e.hints.forZones.length > 0 ? new Set(e.hints.forZones.map((z) => z.name)) : undefined
      const nodeHints = e.hints?.forNodes !== undefined && e.hints.forNodes.length > 0 ? new Set(e.hints.forNodes.map((n) => n.name)) : undefined
      list.push(
        makeEndpoint(ip, p.port, e.nodeName ?? "", e.zone ?? "", zoneHints, c?.ready ?? true, c?.serving ?? true, c?.terminating ?? false, nodeHints),
      )
    }
  }
  let hasDuplicates = false
  for (const list of byPort.values()) {
    list.sort(compareEndpoints)
    for (let i = 1; i < list.length; i++) if ((list[i] as Endpoint).text === (list[i - 1] as Endpoint).text) hasDuplicates = true
    for (const ep of list) {
      parts.push(`${ep.text}|${ep.nodeName}|${ep.zone}|${ep.ready ? 1 : 0}${ep.serving ? 1 : 0}${ep.terminating ? 1 : 0}|${ep.zoneHints === undefined ? "" : [...ep.zoneHints].sort().join(",")}|${ep.nodeHints === undefined ? "" : [...ep.nodeHints].sort().join(",")}`)
    }
  }
  const info: SliceInfo = { name: slice.metadata.name, byPort, fingerprint: parts.join(";"), remove: false, hasDuplicates }
  return info
}

/**
 * The node-independent part of EndpointSliceUpdate: the slice's Service and its info (or removal), or undefined
 * when kube-proxy ignores the slice (another address family, no service-name label). Memoised on the slice.
 */
export const sliceUpdateOf = (slice: EndpointSliceView, removeSlice: boolean): { readonly service: NamespacedName; readonly info: SliceInfo } | undefined => {
  // supportedEndpointSliceAddressTypes; the proxier is IPv4, so IPv6 slices are ignored too.
  if (slice.addressType !== "IPv4") return undefined
  // endpointSliceCacheKeys: a slice without the service-name label belongs to no Service.
  const keys = sliceKeysOf(slice)
  if (keys === undefined) return undefined
  return { service: keys.service, info: removeSlice ? removalOf(slice, keys) : (keys.info ??= sliceInfoOf(slice, keys.serviceName)) }
}

/** esInfoChanged: whether `info` differs from the latest known info of its slice (undefined: none known). */
export const sliceInfoChanged = (info: SliceInfo, latest: SliceInfo | undefined): boolean =>
  latest !== undefined ? !sameInfo(info, latest) : !info.remove

/** Where checked-out endpoint changes come from: a node's own tracker, or a feed shared by nodes in step. */
export interface EndpointsChangeSource {
  checkout(): Map<NamespacedName, EndpointsChange>
}

/**
 * Uncommitted EndpointSlice changes, per Service and slice (pkg/proxy/endpointschangetracker.go
 * EndpointsChangeTracker over endpointslicecache.go EndpointSliceCache): `applied` is what the last sync used,
 * `pending` what arrived since. An update that restores the applied state is dropped.
 */
export class EndpointsChangeTracker implements EndpointsChangeSource {
  private readonly services = new Map<NamespacedName, ServiceSlices>()
  /** Services with pending slices, in the order their first pending change arrived. */
  private readonly dirty = new Set<NamespacedName>()

  constructor(readonly nodeName: string) {}

  /** A tracker whose last checkout left `applied` (each Service's slices) and nothing pending. */
  static withApplied(nodeName: string, applied: Iterable<readonly [NamespacedName, ReadonlyMap<string, SliceInfo>]>): EndpointsChangeTracker {
    const t = new EndpointsChangeTracker(nodeName)
    for (const [nn, slices] of applied) if (slices.size > 0) t.services.set(nn, { applied: new Map(slices), pending: undefined })
    return t
  }

  /** EndpointSliceUpdate: returns true if this update needs a sync. */
  endpointSliceUpdate(slice: EndpointSliceView, removeSlice: boolean): boolean {
    const update = sliceUpdateOf(slice, removeSlice)
    if (update === undefined) return false
    const { service: nn, info } = update
    let tracker = this.services.get(nn)
    if (tracker === undefined) this.services.set(nn, (tracker = { applied: new Map(), pending: undefined }))
    // esInfoChanged: against the pending info if there is one, else the applied one.
    const changed = sliceInfoChanged(info, tracker.pending?.get(info.name) ?? tracker.applied.get(info.name))
    if (changed) {
      tracker.pending ??= new Map()
      tracker.pending.set(info.name, info)
      this.dirty.add(nn)
    }
    return changed
  }

  /** checkoutChanges: {previous, current} endpoints of every Service with pending slices, then marks them applied. */
  checkout(): Map<NamespacedName, EndpointsChange> {
    const out = new Map<NamespacedName, EndpointsChange>()
    // Only the Services with pending slices (a sync costs what changed, not the number of Services).
    for (const nn of this.dirty) {
      const tracker = this.services.get(nn)
      if (tracker === undefined || tracker.pending === undefined) continue
      const previous = this.endpointsMapOf(tracker.applied)
      for (const [name, info] of tracker.pending) {
        if (info.remove) tracker.applied.delete(name)
        else tracker.applied.set(name, info)
      }
      tracker.pending = undefined
      out.set(nn, { previous, current: this.endpointsMapOf(tracker.applied) })
      if (tracker.applied.size === 0) this.services.delete(nn)
    }
    this.dirty.clear()
    return out
  }

  private endpointsMapOf(slices: ReadonlyMap<string, SliceInfo>): EndpointsMap {
    return endpointsMapFor(slices, this.nodeName).map
  }
}

/**
 * getEndpointsMap: merge a Service's slices; the same `ip:port` in several slices is one endpoint, the local
 * copy winning. `nodeDependent`: the answer is `nodeName`'s own (an `ip:port` twice); otherwise every node's.
 */
export const endpointsMapFor = (slices: ReadonlyMap<string, SliceInfo>, nodeName: string): { readonly map: EndpointsMap; readonly nodeDependent: boolean } => {
  if (slices.size === 0) return { map: NO_ENDPOINTS, nodeDependent: false }
  const only = slices.size === 1 ? (slices.values().next().value as SliceInfo) : undefined
  if (only !== undefined && !only.hasDuplicates) {
    // One slice: its sorted lists are already the answer, shared with every other node.
    let map = singleSliceMaps.get(only)
    if (map === undefined) {
      map = new Map()
      for (const [key, list] of only.byPort) if (list.length > 0) map.set(key, list)
      singleSliceMaps.set(only, map)
    }
    return { map, nodeDependent: false }
  }
  // Several slices: the merge is shared too (by the slices' identities), unless an `ip:port` appears twice,
  // when the local copy wins and the answer is this node's own.
  const names = [...slices.keys()].sort()
  let key = ""
  for (const name of names) key += `${identityOf(slices.get(name) as SliceInfo)},`
  let memo = mergedMaps.get(key)
  if (memo === undefined) {
    if (mergedMaps.size >= MERGED_MEMO_LIMIT) mergedMaps.clear()
    const first = mergeSlices(names, slices, "")
    mergedMaps.set(key, (memo = first.duplicates ? { map: undefined, byNode: new Map() } : { map: first.map, byNode: undefined }))
  }
  if (memo.map !== undefined) return { map: memo.map, nodeDependent: false }
  const byNode = memo.byNode as Map<string, EndpointsMap>
  let mine = byNode.get(nodeName)
  if (mine === undefined) byNode.set(nodeName, (mine = mergeSlices(names, slices, nodeName).map))
  return { map: mine, nodeDependent: true }
}

/** The endpoints of no slice; and of one slice, memoised on it (the maps handed out are never changed). */
const NO_ENDPOINTS: EndpointsMap = new Map()
const singleSliceMaps = new WeakMap<SliceInfo, EndpointsMap>()

/** Merged endpoint maps of several slices, by the slices' ids (a memo: cleared when it grows past the limit). */
const mergedMaps = new Map<string, { readonly map: EndpointsMap | undefined; readonly byNode: Map<string, EndpointsMap> | undefined }>()
const MERGED_MEMO_LIMIT = 1 << 14
/** getEndpointsMap's merge of the named slices (in name order); `duplicates` when an `ip:port` was in two. */
const mergeSlices = (names: ReadonlyArray<string>, slices: ReadonlyMap<string, SliceInfo>, nodeName: string): { map: EndpointsMap; duplicates: boolean } => {
  const map: EndpointsMap = new Map()
  let duplicates = false
  const merged = new Map<string, Map<string, Endpoint>>()
  for (const name of names) {
    const info = slices.get(name) as SliceInfo
    for (const [key, list] of info.byPort) {
      let set = merged.get(key)
      if (set === undefined) merged.set(key, (set = new Map()))
      for (const ep of list) {
        const seen = set.has(ep.text)
        if (seen) duplicates = true
        if (!seen || isLocalTo(ep, nodeName)) set.set(ep.text, ep)
      }
    }
  }
  for (const [key, set] of merged) if (set.size > 0) map.set(key, [...set.values()].sort(compareEndpoints))
  return { map, duplicates }
}

const sameInfo = (a: SliceInfo, b: SliceInfo): boolean => a.remove === b.remove && a.fingerprint === b.fingerprint

/** EndpointsMap.Update: applies the tracker's pending changes to `map`. */
export const applyEndpointsChanges = (map: EndpointsMap, tracker: EndpointsChangeSource): UpdateEndpointsMapResult =>
  applyEndpointsChangeSet(map, tracker.checkout())

/** One Service's endpoints before and after the changes a tracker checked out. */
export interface EndpointsChange {
  readonly previous: EndpointsMap
  readonly current: EndpointsMap
}

/** EndpointsMap.Update for changes already checked out of a tracker. */
export const applyEndpointsChangeSet = (map: EndpointsMap, changes: ReadonlyMap<NamespacedName, EndpointsChange>): UpdateEndpointsMapResult => {
  const updatedServices = new Set<NamespacedName>()
  let conntrackCleanupRequired = false
  for (const [nn, change] of changes) {
    updatedServices.add(nn)
    for (const key of change.previous.keys()) map.delete(key)
    for (const [key, list] of change.current) map.set(key, list)
    // endpointschangetracker.go Update: true once any changed service's previous or current map has a UDP port.
    if (!conntrackCleanupRequired) conntrackCleanupRequired = hasUdpPort(change.previous) || hasUdpPort(change.current)
  }
  return { updatedServices, conntrackCleanupRequired }
}

const hasUdpPort = (map: EndpointsMap): boolean => {
  for (const key of map.keys()) if (key.endsWith("/UDP")) return true
  return false
}
