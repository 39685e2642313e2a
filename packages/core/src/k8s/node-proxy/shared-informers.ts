import type { Nanos, Simulation } from "../../sim/index"
import type { Kind, ObjectOfKind } from "../api/index"
import { ProxyChangeFeed, type EndpointSliceView, type ServiceView } from "../proxy/index"
import type { ApiStore, WatchEvent } from "../store/index"

// Informer cache keys, memoised on the (shared, immutable) API object.
const keys = new WeakMap<object, string>()
export const informerKeyOf = (o: { readonly metadata: { readonly namespace?: string; readonly name: string } }): string => {
  let k = keys.get(o)
  if (k === undefined) keys.set(o, (k = `${o.metadata.namespace ?? ""}/${o.metadata.name}`))
  return k
}

/** How an informer hands a watch event to its handlers. */
export interface InformerHandlers<V> {
  add(o: V): void
  update(old: V, o: V): void
  remove(o: V): void
}

/** client-go's informer store: ADDED of a known object is an update, DELETED forgets it. */
export const dispatchToInformer = <K extends Kind, V>(e: WatchEvent<K>, known: Map<string, V>, on: InformerHandlers<V>): void => {
  const obj = e.object as ObjectOfKind<K> as unknown as V
  const key = informerKeyOf(e.object)
  const old = known.get(key)
  if (e.type === "DELETED") {
    if (old !== undefined) {
      known.delete(key)
      on.remove(old)
    }
    return
  }
  known.set(key, obj)
  if (old === undefined) on.add(obj)
  else on.update(old, obj)
}

/**
 * The Service and EndpointSlice informers of every kube-proxy in a cluster, held once (issue 13: symmetry
 * reduction). Each node's kube-proxy lists and watches the same objects with the same lag, so every one of them
 * would hold the same informer caches and hand its trackers the same events in the same order: here one pair of
 * watches fills one cache and one change feed (`ProxyChangeFeed`), and the nodes' proxiers are its members. A
 * node whose kube-proxy stops hearing the API (its node failed) leaves with copies of the caches and its own
 * trackers, and re-lists alone when it comes back.
 *
 * Only kube-proxies that start before anything was delivered, at the same instant as the first, with the same
 * watch lag can join: their own informers would have delivered exactly the feed's events.
 */
export class SharedProxyInformers {
  readonly changes: ProxyChangeFeed
  readonly services = new Map<string, ServiceView>()
  readonly slices = new Map<string, EndpointSliceView>()
  private startedAt: Nanos | undefined
  private delivered = false

  constructor(
    private readonly sim: Simulation,
    private readonly store: ApiStore,
    readonly watchDelay: Nanos,
  ) {
    this.changes = new ProxyChangeFeed(() => sim.now)
  }

  /** Whether a kube-proxy starting now with `watchDelay` hears exactly what the shared informers deliver. */
  canJoin(watchDelay: Nanos): boolean {
    return watchDelay === this.watchDelay && !this.delivered && (this.startedAt === undefined || this.startedAt === this.sim.now)
  }

  /** Lists and watches (once), as the first member's informers would have. */
  start(): void {
    if (this.startedAt !== undefined) return
    this.startedAt = this.sim.now
    const delay = this.watchDelay
    this.store.watch("Service", (e) => this.onService(e), { delay, sendInitialEvents: true })
    this.store.watch("EndpointSlice", (e) => this.onSlice(e), { delay, sendInitialEvents: true })
  }

  private readonly serviceHandlers: InformerHandlers<ServiceView> = {
    add: (o) => this.changes.serviceUpdate(undefined, o),
    update: (old, o) => this.changes.serviceUpdate(old, o),
    remove: (o) => this.changes.serviceUpdate(o, undefined),
  }
  private readonly sliceHandlers: InformerHandlers<EndpointSliceView> = {
    add: (o) => this.changes.sliceUpdate(o, false),
    update: (_old, o) => this.changes.sliceUpdate(o, false),
    remove: (o) => this.changes.sliceUpdate(o, true),
  }

  private onService(e: WatchEvent<"Service">): void {
    this.delivered = true
    dispatchToInformer(e, this.services, this.serviceHandlers)
  }

  private onSlice(e: WatchEvent<"EndpointSlice">): void {
    this.delivered = true
    dispatchToInformer(e, this.slices, this.sliceHandlers)
  }
}
