import {
  DEFAULT_NAMESPACE,
  type FieldError,
  type Kind,
  type KubeObject,
  type ObjectOfKind,
  type LabelSelector,
  type ObjectMeta,
  type ValidationOptions,
  deepEqual,
  generationSubject,
  infoOf,
  labelSelectorMatches,
  timestampAt,
  validateObject,
  validateUpdate,
} from "../api/index"
import { type EventKind, NANOS_PER_SECOND, type Nanos, type Rng, type Simulation } from "../../sim/index"
import { mergeApplied } from "./apply-merge"
import { defaultIndexers } from "./indexers"
import { type IndexFunc, KindIndex, type SumFunc } from "./kind-index"
import { type StoreResult, alreadyExists, conflict, invalid, notFound } from "./store-result"
import { generateName, uuidV4 } from "./uid"
import type { Watch, WatchEvent, WatchEventType, WatchOptions } from "./watch"

/** A hook that sees every create/update before validation: allocators (cluster IPs, node ports) set fields here. */
export type Admission = (obj: KubeObject, old: KubeObject | undefined) => KubeObject | ReadonlyArray<FieldError>

/** Called when a pod's graceful deletion starts (deletionTimestamp set); the kubelet finishes it with `delete(…, { gracePeriodSeconds: 0 })`. */
export type GracefulDeletionHook = (pod: ObjectOfKind<"Pod">) => void

export interface ApiStoreOptions {
  /** Random stream for uids and generated names; default "api/uid". */
  readonly rngStream?: string
  readonly validation?: ValidationOptions
}

export interface DeleteOptions {
  /** Pods only: overrides spec.terminationGracePeriodSeconds; 0 deletes at once. */
  readonly gracePeriodSeconds?: number
}

export interface UpdateOptions {
  /** Fail with Conflict unless the stored object has this resourceVersion (optimistic concurrency). */
  readonly resourceVersion?: string
}

export interface ListOptions {
  readonly namespace?: string
  readonly labelSelector?: LabelSelector
}

interface Watcher {
  /** Registration order: deliveries of one write are scheduled in it. */
  readonly seq: number
  readonly kind: Kind
  readonly nodeName: string | undefined
  readonly namespace: string | undefined
  readonly selector: LabelSelector | undefined
  readonly delay: Nanos
  readonly handler: (event: WatchEvent<any>) => void
  stopped: boolean
}

interface Delivery {
  readonly watcher: Watcher
  readonly event: WatchEvent
}

/** One write reaching several watchers with the same lag and event type: one kernel event, handlers in order. */
interface FanOut {
  readonly watchers: ReadonlyArray<Watcher>
  readonly event: WatchEvent
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`

/** A kind's watchers: those without a node filter, and those of pods' `spec.nodeName=<node>` by node. */
interface KindWatchers {
  readonly all: Watcher[]
  readonly byNode: Map<string, Watcher[]>
}

const podNodeOf = (o: KubeObject | undefined): string | undefined => (o?.kind === "Pod" && o.spec.nodeName !== undefined && o.spec.nodeName !== "" ? o.spec.nodeName : undefined)

/**
 * The API server and etcd of a simulated cluster: objects by kind/namespace/name, with uid, resourceVersion
 * (one global counter, as etcd's revision), generation and creationTimestamp; create/apply/update/delete;
 * and watches delivered through the simulation kernel after each watcher's own delay, in resourceVersion order.
 *
 * Every write is validated (create-time rules, plus immutable-field rules on updates). Reads return the stored
 * objects themselves: treat them as immutable. Writes from controllers use `update` (whole object, status
 * included); users use `apply` (see apply-merge.ts for what is merged).
 */
export class ApiStore {
  private readonly objects = new Map<Kind, KindIndex>()
  private readonly watchers = new Map<Kind, KindWatchers>()
  private watcherSeq = 0
  private readonly admissions: Admission[] = []
  private readonly gracefulHooks: GracefulDeletionHook[] = []
  private readonly rng: Rng
  private readonly deliver: EventKind<Delivery>
  private readonly fanOut: EventKind<FanOut>
  private revision = 0

  constructor(
    readonly sim: Simulation,
    private readonly options: ApiStoreOptions = {},
  ) {
    this.rng = sim.rng(options.rngStream ?? "api/uid")
    this.deliver = sim.defineKind<Delivery>("api/watch", (d) => {
      if (!d.watcher.stopped) d.watcher.handler(d.event)
    })
    this.fanOut = sim.defineKind<FanOut>("api/watch-fan-out", (d) => {
      for (const w of d.watchers) if (!w.stopped) w.handler(d.event)
    })
  }

  /** The latest resourceVersion handed out, as a string ("0" before any write). */
  get resourceVersion(): string {
    return String(this.revision)
  }

  /** Registers an admission hook, run in registration order on create, apply and update. */
  addAdmission(hook: Admission): void {
    this.admissions.push(hook)
  }

  /** Registers a hook told when a pod's graceful deletion begins. */
  onGracefulDeletion(hook: GracefulDeletionHook): void {
    this.gracefulHooks.push(hook)
  }

  get<K extends Kind>(kind: K, namespace: string | undefined, name: string): ObjectOfKind<K> | undefined {
    return this.objects.get(kind)?.objects.get(keyOf(this.nsFor(kind, namespace), name)) as ObjectOfKind<K> | undefined
  }

  /**
   * Objects of a kind, optionally filtered, sorted by namespace then name. Resolved through the kind's indexes
   * (namespace, label pairs): the cost is that of the smallest matching bucket, not of the kind.
   */
  list<K extends Kind>(kind: K, options: ListOptions = {}): ObjectOfKind<K>[] {
    const ns = options.namespace === undefined || !infoOf(kind).namespaced ? undefined : options.namespace
    return this.kindIndex(kind).list(ns, options.labelSelector) as ObjectOfKind<K>[]
  }

  /** `list` without the sorting, for folds whose result does not depend on order (sums, counts). */
  forEachMatching<K extends Kind>(kind: K, options: ListOptions, f: (o: ObjectOfKind<K>) => void): void {
    const ns = options.namespace === undefined || !infoOf(kind).namespaced ? undefined : options.namespace
    this.kindIndex(kind).forEachMatching(ns, options.labelSelector, f as (o: KubeObject) => void)
  }

  /**
   * client-go `Indexer.ByIndex`: objects of `kind` filed under `value` in index `index` (indexers.ts lists the
   * built-in ones; `addIndex` adds more), in namespace/name order.
   */
  byIndex<K extends Kind>(kind: K, index: string, value: string): ObjectOfKind<K>[] {
    return this.kindIndex(kind).byIndex(index, value) as ObjectOfKind<K>[]
  }

  /** `byIndex` without the sorting, for folds whose result does not depend on order (sums, counts). */
  forEachByIndex<K extends Kind>(kind: K, index: string, value: string, f: (o: ObjectOfKind<K>) => void): void {
    this.kindIndex(kind).forEachInIndex(index, value, f as (o: KubeObject) => void)
  }

  /** How many objects `byIndex` would return. */
  countByIndex(kind: Kind, index: string, value: string): number {
    return this.kindIndex(kind).countByIndex(index, value)
  }

  /** A counter that changes whenever an object filed under (`index`, `value`) of `kind` is written: a cache key. */
  indexRevision(kind: Kind, index: string, value: string): number {
    return this.kindIndex(kind).indexRevision(index, value)
  }

  /** A counter that changes on every write to `kind`: a cache key for whole-kind derivations. */
  kindRevision(kind: Kind): number {
    return this.kindIndex(kind).revision
  }

  /** client-go `AddIndexers`: another index over `kind` (a name already registered is kept as it is). */
  addIndex(kind: Kind, name: string, fn: IndexFunc): void {
    this.kindIndex(kind).addIndex(name, fn)
  }

  /** A running sum per key over the objects of `kind` (KindIndex.addSum); a name already registered is kept. */
  addSum(kind: Kind, name: string, fn: SumFunc): void {
    this.kindIndex(kind).addSum(name, fn)
  }

  /** Under `key` of sum `name`: [objects counted, then each amount's sum]; undefined when none counts there. */
  sum(kind: Kind, name: string, key: string): ReadonlyArray<number> | undefined {
    return this.kindIndex(kind).sum(name, key)
  }

  /** The live totals array under `key` of sum `name` with `width` amounts (KindIndex.sumCell): zeros when none counts. */
  sumCell(kind: Kind, name: string, key: string, width: number): ReadonlyArray<number> {
    return this.kindIndex(kind).sumCell(name, key, width)
  }

  /** How many objects of `kind` are stored. */
  count(kind: Kind): number {
    return this.objects.get(kind)?.objects.size ?? 0
  }

  /** Every stored object of every kind, in KINDS order then namespace/name. */
  all(): KubeObject[] {
    const out: KubeObject[] = []
    for (const info of ["Namespace", "Node", "Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet"] as const) out.push(...this.list(info))
    return out
  }

  /** Creates `obj`; fails with AlreadyExists if its name is taken. `metadata.generateName` picks a free name. */
  create<T extends KubeObject>(obj: T): StoreResult<T> {
    const ns = this.nsFor(obj.kind, obj.metadata.namespace)
    let name = obj.metadata.name
    if (name === "" && obj.metadata.generateName !== undefined && obj.metadata.generateName !== "") {
      do name = generateName(this.rng, obj.metadata.generateName)
      while (this.get(obj.kind, ns, name) !== undefined)
    }
    if (this.get(obj.kind, ns, name) !== undefined) return alreadyExists(obj.kind, name)
    const named = { ...obj, metadata: { ...obj.metadata, name, ...(ns !== undefined ? { namespace: ns } : {}) } } as T
    const admitted = this.admit(named, undefined)
    if (!Array.isArray(admitted)) {
      const errs = validateObject(admitted as KubeObject, this.options.validation)
      if (errs.length === 0) {
        const rv = ++this.revision
        const metadata: ObjectMeta = {
          ...(admitted as KubeObject).metadata,
          uid: uuidV4(this.rng),
          resourceVersion: String(rv),
          generation: 1,
          creationTimestamp: timestampAt(this.sim.now),
        }
        const stored = { ...(admitted as KubeObject), metadata } as T
        this.put(stored)
        this.notify("ADDED", stored, undefined, rv)
        return { ok: true, action: "created", object: stored }
      }
      return invalid(obj.kind, name, errs)
    }
    return invalid(obj.kind, name, admitted as ReadonlyArray<FieldError>)
  }

  /** `kubectl apply`: create, or merge into the live object (apply-merge.ts); `unchanged` writes nothing. */
  apply<T extends KubeObject>(obj: T): StoreResult<T> {
    const live = this.get(obj.kind, obj.metadata.namespace, obj.metadata.name)
    if (live === undefined) return this.create(obj)
    return this.write(mergeApplied(obj, live) as T, live, "configured")
  }

  /**
   * Replaces the stored object with `obj` (a controller's update, status included). uid and creationTimestamp
   * cannot change; generation is bumped when the spec changes.
   */
  update<T extends KubeObject>(obj: T, options: UpdateOptions = {}): StoreResult<T> {
    const live = this.get(obj.kind, obj.metadata.namespace, obj.metadata.name)
    if (live === undefined) return notFound(obj.kind, obj.metadata.name)
    if (options.resourceVersion !== undefined && options.resourceVersion !== live.metadata.resourceVersion) {
      return conflict(obj.kind, obj.metadata.name)
    }
    const metadata: ObjectMeta = {
      ...obj.metadata,
      namespace: live.metadata.namespace,
      uid: live.metadata.uid,
      creationTimestamp: live.metadata.creationTimestamp,
      generation: live.metadata.generation,
      resourceVersion: live.metadata.resourceVersion,
      ...(live.metadata.deletionTimestamp !== undefined ? { deletionTimestamp: live.metadata.deletionTimestamp } : {}),
      ...(live.metadata.deletionGracePeriodSeconds !== undefined ? { deletionGracePeriodSeconds: live.metadata.deletionGracePeriodSeconds } : {}),
    }
    if (metadata.namespace === undefined) delete (metadata as { namespace?: string }).namespace
    return this.write({ ...obj, metadata } as T, live, "configured")
  }

  /**
   * Binds a pending pod to a node: the `pods/binding` subresource the scheduler writes. Sets spec.nodeName (which
   * an ordinary update may not change) and the PodScheduled=True condition, as `BindingREST.assignPod` /
   * `setPodNodeAndMetadata` do (pkg/registry/core/pod/storage/storage.go); refuses a pod being deleted or already
   * bound with upstream's Conflict messages. generation is left alone (binding is not a spec update by the user).
   */
  bind(namespace: string, name: string, nodeName: string): StoreResult<ObjectOfKind<"Pod">> {
    const live = this.get("Pod", namespace, name)
    if (live === undefined) return notFound("Pod", name)
    const refuse = (why: string): StoreResult<ObjectOfKind<"Pod">> => ({
      ok: false,
      reason: "Conflict",
      message: `Operation cannot be fulfilled on pods/binding ${JSON.stringify(name)}: ${why}`,
      errors: [],
    })
    if (live.metadata.deletionTimestamp !== undefined) return refuse(`pod ${name} is being deleted, cannot be assigned to a host`)
    if (live.spec.nodeName !== undefined && live.spec.nodeName !== "") {
      return refuse(`pod ${name} is already assigned to node ${JSON.stringify(live.spec.nodeName)}`)
    }
    const rv = ++this.revision
    const now = timestampAt(this.sim.now)
    const others = (live.status.conditions ?? []).filter((c) => c.type !== "PodScheduled")
    const bound: ObjectOfKind<"Pod"> = {
      ...live,
      metadata: { ...live.metadata, resourceVersion: String(rv) },
      spec: { ...live.spec, nodeName },
      status: {
        ...live.status,
        conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now }, ...others],
      },
    }
    this.put(bound)
    this.notify("MODIFIED", bound, live, rv)
    return { ok: true, action: "configured", object: bound }
  }

  /**
   * Deletes an object. A pod with a grace period (options, else spec.terminationGracePeriodSeconds) that is bound
   * to a node is only marked: deletionTimestamp = now + grace, deletionGracePeriodSeconds, generation + 1
   * (pkg/registry/core/pod/strategy.go `CheckGracefulDelete`, apiserver rest/delete.go `BeforeDelete`); the
   * kubelet removes it later with gracePeriodSeconds 0. An unbound pod, or one already Succeeded/Failed, goes at
   * once. Other kinds go at once (finalizers and garbage collection of dependents are not modelled).
   */
  delete<K extends Kind>(kind: K, namespace: string | undefined, name: string, options: DeleteOptions = {}): StoreResult<ObjectOfKind<K>> {
    const live = this.get(kind, namespace, name) as KubeObject | undefined
    if (live === undefined) return notFound(kind, name)
    if (live.kind === "Pod") {
      const unbound = live.spec.nodeName === undefined || live.spec.nodeName === ""
      const finished = live.status.phase === "Succeeded" || live.status.phase === "Failed"
      let grace = options.gracePeriodSeconds ?? live.spec.terminationGracePeriodSeconds
      if (unbound || finished || grace < 0) grace = 0
      const already = live.metadata.deletionGracePeriodSeconds
      // rest/delete.go `BeforeDelete`: a second graceful delete may only shorten the grace period.
      if (grace > 0 && (already === undefined || grace < already)) {
        const rv = ++this.revision
        const deadline = this.sim.now + grace * NANOS_PER_SECOND
        const marked: ObjectOfKind<"Pod"> = {
          ...live,
          metadata: {
            ...live.metadata,
            deletionTimestamp: timestampAt(deadline),
            deletionGracePeriodSeconds: grace,
            // Only the first graceful deletion bumps generation; shortening the period does not (rest/delete.go).
            generation: (live.metadata.generation ?? 1) + (already === undefined ? 1 : 0),
            resourceVersion: String(rv),
          },
        }
        this.put(marked)
        this.notify("MODIFIED", marked, live, rv)
        for (const h of this.gracefulHooks) h(marked)
        return { ok: true, action: "terminating", object: marked as ObjectOfKind<K> }
      }
      if (grace > 0) return { ok: true, action: "terminating", object: live as ObjectOfKind<K> }
    }
    const rv = ++this.revision
    const gone = { ...live, metadata: { ...live.metadata, resourceVersion: String(rv) } } as ObjectOfKind<K>
    this.objects.get(kind)?.remove(keyOf(live.metadata.namespace, name))
    this.notify("DELETED", gone, undefined, rv)
    return { ok: true, action: "deleted", object: gone }
  }

  /**
   * Watches a kind. Each event reaches `handler` `delay` after the write, in resourceVersion order (each watcher
   * has one fixed delay and the kernel runs equal times in scheduling order).
   */
  watch<K extends Kind>(kind: K, handler: (event: WatchEvent<K>) => void, options: WatchOptions = {}): Watch {
    const nodeName = options.nodeName
    if (nodeName !== undefined && kind !== "Pod") throw new Error(`watch: the spec.nodeName field selector applies to Pods, not ${kind}`)
    const w: Watcher = {
      seq: this.watcherSeq++,
      kind,
      nodeName,
      namespace: options.namespace,
      selector: options.labelSelector,
      delay: options.delay ?? 0,
      handler: handler as (event: WatchEvent<any>) => void,
      stopped: false,
    }
    const kw = this.kindWatchers(kind)
    let list = kw.all
    if (nodeName !== undefined) {
      list = kw.byNode.get(nodeName) ?? []
      kw.byNode.set(nodeName, list)
    }
    list.push(w)
    if (options.sendInitialEvents === true) {
      for (const o of this.list(kind, { ...(w.namespace !== undefined ? { namespace: w.namespace } : {}), ...(w.selector !== undefined ? { labelSelector: w.selector } : {}) })) {
        if (nodeName !== undefined && podNodeOf(o) !== nodeName) continue
        this.sim.after(w.delay, this.deliver, { watcher: w, event: { type: "ADDED", object: o } }, Number(o.metadata.resourceVersion ?? 0))
      }
    }
    const watchers = list
    return {
      kind,
      get stopped() {
        return w.stopped
      },
      stop() {
        if (w.stopped) return
        w.stopped = true
        const i = watchers.indexOf(w)
        if (i >= 0) watchers.splice(i, 1)
      },
    }
  }

  private nsFor(kind: Kind, namespace: string | undefined): string | undefined {
    if (!infoOf(kind).namespaced) return undefined
    return namespace === undefined || namespace === "" ? DEFAULT_NAMESPACE : namespace
  }

  private matches(o: KubeObject, namespace: string | undefined, selector: LabelSelector | undefined, nodeName?: string): boolean {
    if (namespace !== undefined && o.metadata.namespace !== undefined && o.metadata.namespace !== namespace) return false
    if (nodeName !== undefined && podNodeOf(o) !== nodeName) return false
    return selector === undefined || labelSelectorMatches(selector, o.metadata.labels)
  }

  private kindIndex(kind: Kind): KindIndex {
    let m = this.objects.get(kind)
    if (m === undefined) {
      m = new KindIndex(kind)
      for (const [name, fn] of defaultIndexers(kind)) m.addIndex(name, fn)
      this.objects.set(kind, m)
    }
    return m
  }

  private kindWatchers(kind: Kind): KindWatchers {
    let kw = this.watchers.get(kind)
    if (kw === undefined) {
      kw = { all: [], byNode: new Map() }
      this.watchers.set(kind, kw)
    }
    return kw
  }

  private admit(obj: KubeObject, old: KubeObject | undefined): KubeObject | ReadonlyArray<FieldError> {
    let cur = obj
    for (const a of this.admissions) {
      const r = a(cur, old)
      if (Array.isArray(r)) return r
      cur = r as KubeObject
    }
    return cur
  }

  /** Validates and stores an update of `live`; bumps generation when the spec changed; no-op when nothing changed. */
  private write<T extends KubeObject>(next: T, live: KubeObject, action: "configured"): StoreResult<T> {
    const admitted = this.admit(next, live)
    if (Array.isArray(admitted)) return invalid(next.kind, next.metadata.name, admitted as ReadonlyArray<FieldError>)
    const candidate = admitted as T
    const errs = [...validateObject(candidate, this.options.validation), ...validateUpdate(candidate, live)]
    if (errs.length > 0) return invalid(next.kind, next.metadata.name, errs)
    if (deepEqual(candidate, live)) return { ok: true, action: "unchanged", object: live as T }
    const rv = ++this.revision
    const specChanged = !deepEqual(generationSubject(candidate), generationSubject(live))
    const stored = {
      ...candidate,
      metadata: {
        ...candidate.metadata,
        resourceVersion: String(rv),
        generation: (live.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      },
    } as T
    this.put(stored)
    this.notify("MODIFIED", stored, live, rv)
    return { ok: true, action, object: stored }
  }

  private put(obj: KubeObject): void {
    this.kindIndex(obj.kind).put(keyOf(obj.metadata.namespace, obj.metadata.name), obj)
  }

  /**
   * Schedules the event for each watcher of the kind, translating by its filter (ADDED/DELETED on (un)matching), in
   * registration order. Node-filtered pod watchers (the kubelets') are reached through their node only.
   */
  private notify(type: WatchEventType, obj: KubeObject, old: KubeObject | undefined, rv: number): void {
    const kw = this.watchers.get(obj.kind)
    if (kw === undefined) return
    let ws: ReadonlyArray<Watcher> = kw.all
    if (kw.byNode.size > 0) {
      const a = podNodeOf(obj)
      const b = podNodeOf(old)
      const na = a === undefined ? undefined : kw.byNode.get(a)
      const nb = b === undefined || b === a ? undefined : kw.byNode.get(b)
      if (na !== undefined || nb !== undefined) ws = mergeBySeq(mergeBySeq(ws, na ?? NO_WATCHERS), nb ?? NO_WATCHERS)
    }
    // Watchers that get the same event after the same lag, one after another, share one kernel event: the separate
    // deliveries would have run back to back at that instant (consecutive sequence numbers, nothing between them),
    // so handlers run in the same order either way — a write to a 1,000-node cluster's Services is one event, not
    // one per kube-proxy.
    let run: Watcher[] = []
    let runType: WatchEventType | undefined
    let runDelay = 0
    const flush = (): void => {
      if (run.length === 1) this.sim.after(runDelay, this.deliver, { watcher: run[0] as Watcher, event: { type: runType as WatchEventType, object: obj } }, rv)
      else if (run.length > 1) this.sim.after(runDelay, this.fanOut, { watchers: run, event: { type: runType as WatchEventType, object: obj } }, rv)
      run = []
    }
    for (const w of ws) {
      const now = this.matches(obj, w.namespace, w.selector, w.nodeName)
      let t: WatchEventType | undefined
      if (type === "MODIFIED") {
        const before = old !== undefined && this.matches(old, w.namespace, w.selector, w.nodeName)
        t = before && now ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : undefined
      } else if (now) t = type
      if (t === undefined) continue
      if (run.length > 0 && (t !== runType || w.delay !== runDelay)) flush()
      run.push(w)
      runType = t
      runDelay = w.delay
    }
    flush()
  }
}

const NO_WATCHERS: ReadonlyArray<Watcher> = []

/** Two watcher lists in registration order (each list is: watchers are appended with rising `seq`) as one. */
const mergeBySeq = (a: ReadonlyArray<Watcher>, b: ReadonlyArray<Watcher>): ReadonlyArray<Watcher> => {
  if (b.length === 0) return a
  if (a.length === 0) return b
  const out: Watcher[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) out.push((a[i] as Watcher).seq < (b[j] as Watcher).seq ? (a[i++] as Watcher) : (b[j++] as Watcher))
  while (i < a.length) out.push(a[i++] as Watcher)
  while (j < b.length) out.push(b[j++] as Watcher)
  return out
}
