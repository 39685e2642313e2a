import type { ServiceView } from "./api-view"
import { clusterIPv4, newServicePortInfo, servicePortInfoEqual, type ServicePortInfo } from "./service-port"
import { namespacedName, type NamespacedName } from "./service-port-name"

/** All ports of all Services, keyed by ServicePortName key (pkg/proxy/servicechangetracker.go ServicePortMap). */
export type ServicePortMap = Map<string, ServicePortInfo>

export interface ServiceChange {
  readonly previous: ServicePortMap
  current: ServicePortMap
}

/** What `applyServiceChanges` changed: upstream's UpdateServiceMapResult. */
export interface UpdateServiceMapResult {
  /** Services (ns/name) that were added, changed or deleted since the last sync. */
  readonly updatedServices: ReadonlySet<NamespacedName>
  /** ClusterIPs of UDP service ports that went away (for conntrack cleanup). */
  readonly deletedUDPClusterIPs: ReadonlySet<string>
}

/** The ports of no Service (shared: the maps a tracker hands out are never changed). */
const NO_PORTS: ServicePortMap = new Map()

// The per-Service port records are node-independent: memoise them on the Service object itself, so a thousand
// nodes' trackers share one record per port instead of building a thousand.
const portsOfService = new WeakMap<ServiceView, ServicePortMap>()

/** servicechangetracker.go serviceToServiceMap: the Service's ports, or an empty map if kube-proxy ignores it. */
export const serviceToServicePortMap = (svc: ServiceView | undefined): ServicePortMap => {
  if (svc === undefined) return NO_PORTS
  const cached = portsOfService.get(svc)
  if (cached !== undefined) return cached
  const map: ServicePortMap = new Map()
  // pkg/proxy/util ShouldSkipService: headless and ExternalName Services have no proxy rules.
  const skip = svc.spec.type === "ExternalName" || svc.spec.clusterIP === "None" || clusterIPv4(svc) === ""
  if (!skip) {
    for (const port of svc.spec.ports ?? []) {
      const info = newServicePortInfo(svc, port)
      map.set(info.name.key, info)
    }
  }
  portsOfService.set(svc, map)
  return map
}

const portMapsEqual = (a: ServicePortMap, b: ServicePortMap): boolean => {
  if (a.size !== b.size) return false
  for (const [key, info] of a) {
    const other = b.get(key)
    if (other === undefined || !servicePortInfoEqual(info, other)) return false
  }
  return true
}

/**
 * Uncommitted Service changes, {previous, current} per Service (pkg/proxy/servicechangetracker.go
 * ServiceChangeTracker): `previous` is the state before the first change since the last sync, `current` after
 * the last. A change that nets out (add then delete, or an update back to the synced state) is dropped.
 */
/** Where checked-out Service changes come from: a node's own tracker, or a feed shared by nodes in step. */
export interface ServiceChangeSource {
  checkout(): Map<NamespacedName, ServiceChange>
}

export class ServiceChangeTracker implements ServiceChangeSource {
  private readonly items = new Map<NamespacedName, ServiceChange>()

  /** ServiceChangeTracker.Update: returns true if any change is pending (a sync is needed). */
  update(previous: ServiceView | undefined, current: ServiceView | undefined): boolean {
    const svc = current ?? previous
    if (svc === undefined) return false
    const nn = namespacedName(svc.metadata.namespace ?? "default", svc.metadata.name)
    let change = this.items.get(nn)
    if (change === undefined) {
      change = { previous: serviceToServicePortMap(previous), current: new Map() }
      this.items.set(nn, change)
    }
    change.current = serviceToServicePortMap(current)
    if (portMapsEqual(change.previous, change.current)) this.items.delete(nn)
    return this.items.size > 0
  }

  get pending(): number {
    return this.items.size
  }

  /** Hands the pending changes over and forgets them (checkoutChanges). */
  checkout(): Map<NamespacedName, ServiceChange> {
    const out = new Map(this.items)
    this.items.clear()
    return out
  }

  /** The pending changes as a checkout would hand them over, leaving the tracker as it is. */
  peek(): Map<NamespacedName, ServiceChange> {
    const out = new Map<NamespacedName, ServiceChange>()
    for (const [nn, c] of this.items) out.set(nn, { previous: c.previous, current: c.current })
    return out
  }
}

/** ServicePortMap.Update: applies the tracker's pending changes to `map`. */
export const applyServiceChanges = (map: ServicePortMap, tracker: ServiceChangeSource): UpdateServiceMapResult =>
  applyServiceChangeSet(map, tracker.checkout())

/** ServicePortMap.Update for changes already checked out of a tracker. */
export const applyServiceChangeSet = (map: ServicePortMap, changes: ReadonlyMap<NamespacedName, ServiceChange>): UpdateServiceMapResult => {
  const updatedServices = new Set<NamespacedName>()
  const deletedUDPClusterIPs = new Set<string>()
  for (const [nn, change] of changes) {
    updatedServices.add(nn)
    for (const [key, info] of change.current) map.set(key, info)
    for (const [key, info] of change.previous) {
      if (change.current.has(key)) continue
      if (info.protocol === "UDP") deletedUDPClusterIPs.add(info.clusterIP)
      map.delete(key)
    }
  }
  return { updatedServices, deletedUDPClusterIPs }
}
