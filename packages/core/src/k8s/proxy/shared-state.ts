import { identityOf } from "./identity"
import { applyEndpointsChangeSet, type EndpointsChange, type EndpointsMap, type UpdateEndpointsMapResult } from "./endpoints-change-tracker"
import { applyServiceChangeSet, type ServiceChange, type ServicePortMap, type UpdateServiceMapResult } from "./service-change-tracker"
import type { NamespacedName } from "./service-port-name"

/**
 * kube-proxy's view of the cluster (ServicePortMap + EndpointsMap) as an immutable, shared value. Every node's
 * kube-proxy hears the same Service and EndpointSlice events, so at almost every sync most nodes hold the same
 * maps and apply the same changes: a `ProxyState` is built once per distinct change set and referenced by every
 * proxier in it, with memo slots for what the modes derive from it (rendered rules, sync payloads). Per-node
 * memory is then the change trackers' bookkeeping, not a copy of the cluster's Services and endpoints.
 *
 * Exactness: a state's maps are what `ServicePortMap.Update` / `EndpointsMap.Update` (servicechangetracker.go,
 * endpointschangetracker.go) produce from the previous state and the change set; a transition is keyed by the
 * identities of the changed Services' port records and endpoint lists (node-independent, memoised on the API
 * objects), which determine its outcome. States reached along different histories are merged only after their
 * maps are checked equal entry by entry (same records), so a hash collision costs a comparison, never a wrong map.
 */
export class ProxyState {
  /** Proxiers currently in this state (a state nobody holds leaves the merge index). */
  holders = 0
  /** Change set key → where it leads (and what it changed). */
  readonly transitions = new Map<string, ProxyTransition>()
  /** Change sets handed over as the very same maps (a shared feed's checkouts): where they lead, without a key. */
  readonly transitionsByMaps = new WeakMap<object, WeakMap<object, ProxyTransition>>()
  /** Mode-specific values derived from this state alone (e.g. rendered rules per node class). */
  readonly memo = new Map<string, unknown>()
  private sorted: string[] | undefined

  constructor(
    readonly id: number,
    readonly svcPortMap: ServicePortMap,
    readonly endpointsMap: EndpointsMap,
    readonly hash: number,
  ) {}

  /** The service port keys in sorted order (upstream walks a Go map; kubesim sorts for determinism). */
  get sortedKeys(): ReadonlyArray<string> {
    if (this.sorted === undefined) this.sorted = [...this.svcPortMap.keys()].sort()
    return this.sorted
  }
}

/** One change set applied to a state: the state it leads to and upstream's Update results. */
export interface ProxyTransition {
  readonly to: ProxyState
  readonly serviceUpdate: UpdateServiceMapResult
  readonly endpointUpdate: UpdateEndpointsMapResult
  /** Mode-specific values derived from this transition (e.g. a partial sync's payload). */
  readonly memo: Map<string, unknown>
}

/** FNV-1a of a string, mixed with a record id: one map entry's contribution to a state's hash. */
const entryHash = (key: string, value: object, salt: number): number => {
  let h = 0x811c9dc5 ^ salt
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return Math.imul(h ^ identityOf(value), 0x9e3779b1) >>> 0
}
const SVC = 0x5f3759df
const EPS = 0x2545f491

const sameEntries = <V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean => {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

/**
 * The states kube-proxies share (one store per cluster, like the render cache). `advance` applies a proxier's
 * checked-out changes to its state: a change set seen before from the same state is a map lookup; a new one
 * copies the maps once and applies it (then every other node making the same step reuses the result).
 */
export class ProxyStateStore {
  private nextId = 1
  readonly empty: ProxyState
  /** Held states by content hash, for merging states reached along different histories. */
  private readonly live = new Map<number, ProxyState[]>()
  hits = 0
  misses = 0

  constructor() {
    this.empty = new ProxyState(0, new Map(), new Map(), 0)
  }

  /** A proxier enters `state` (and leaves `previous`). */
  move(previous: ProxyState | undefined, state: ProxyState): void {
    if (previous === state) return
    state.holders++
    if (state.holders === 1 && state !== this.empty) {
      const list = this.live.get(state.hash)
      if (list === undefined) this.live.set(state.hash, [state])
      else if (!list.includes(state)) list.push(state)
    }
    if (previous === undefined) return
    previous.holders--
    if (previous.holders === 0) {
      const list = this.live.get(previous.hash)
      const i = list?.indexOf(previous) ?? -1
      if (list !== undefined && i >= 0) {
        list.splice(i, 1)
        if (list.length === 0) this.live.delete(previous.hash)
      }
    }
  }

  /** Applies checked-out changes to `from`: ServicePortMap.Update and EndpointsMap.Update, shared. */
  advance(
    from: ProxyState,
    services: ReadonlyMap<NamespacedName, ServiceChange>,
    endpoints: ReadonlyMap<NamespacedName, EndpointsChange>,
  ): ProxyTransition {
    const byMaps = from.transitionsByMaps.get(services)?.get(endpoints)
    if (byMaps !== undefined) {
      this.hits++
      return byMaps
    }
    const key = changeKey(services, endpoints)
    const known = from.transitions.get(key)
    if (known !== undefined) {
      this.hits++
      this.rememberMaps(from, services, endpoints, known)
      return known
    }
    this.misses++
    const svcPortMap: ServicePortMap = new Map(from.svcPortMap)
    const endpointsMap: EndpointsMap = new Map(from.endpointsMap)
    const serviceUpdate = applyServiceChangeSet(svcPortMap, services)
    const endpointUpdate = applyEndpointsChangeSet(endpointsMap, endpoints)
    let hash = from.hash
    for (const [nn, change] of services) hash = rehash(hash, from.svcPortMap, svcPortMap, change.previous.keys(), change.current.keys(), SVC)
    for (const [nn, change] of endpoints) hash = rehash(hash, from.endpointsMap, endpointsMap, change.previous.keys(), change.current.keys(), EPS)
    let to: ProxyState | undefined
    if (services.size === 0 && endpoints.size === 0) to = from
    else {
      for (const s of this.live.get(hash) ?? []) {
        if (sameEntries(s.svcPortMap, svcPortMap) && sameEntries(s.endpointsMap, endpointsMap)) {
          to = s
          break
        }
      }
      to ??= new ProxyState(this.nextId++, svcPortMap, endpointsMap, hash)
    }
    const t: ProxyTransition = { to, serviceUpdate, endpointUpdate, memo: new Map() }
    from.transitions.set(key, t)
    this.rememberMaps(from, services, endpoints, t)
    return t
  }

  private rememberMaps(from: ProxyState, services: object, endpoints: object, t: ProxyTransition): void {
    let m = from.transitionsByMaps.get(services)
    if (m === undefined) from.transitionsByMaps.set(services, (m = new WeakMap()))
    m.set(endpoints, t)
  }
}

/**
 * Updates a state hash for one Service's entries: the previous state's entries under its keys leave, the new
 * state's enter (each key at most once: a port in both lists is counted once each way).
 */
const rehash = (
  hash: number,
  before: ReadonlyMap<string, object>,
  after: ReadonlyMap<string, object>,
  previousKeys: Iterable<string>,
  currentKeys: Iterable<string>,
  salt: number,
): number => {
  const keys = new Set<string>(previousKeys)
  for (const k of currentKeys) keys.add(k)
  let h = hash
  for (const k of keys) {
    const old = before.get(k)
    if (old !== undefined) h = (h - entryHash(k, old, salt)) >>> 0
    const now = after.get(k)
    if (now !== undefined) h = (h + entryHash(k, now, salt)) >>> 0
  }
  return h
}

/**
 * The identity of a change set: per changed Service, in the order the changes arrived, the identity of its new
 * port map and endpoints map (both memoised on the API objects, so every node names the same maps alike). The
 * order only matters for sharing: two orders of the same changes are two keys for the same outcome.
 */
const changeKey = (services: ReadonlyMap<NamespacedName, ServiceChange>, endpoints: ReadonlyMap<NamespacedName, EndpointsChange>): string => {
  if (services.size === 0 && endpoints.size === 0) return ""
  let key = ""
  for (const [nn, change] of services) key += `s ${nn}=${identityOf(change.current)}\n`
  for (const [nn, change] of endpoints) key += `e ${nn}=${identityOf(change.current)}\n`
  return key
}
