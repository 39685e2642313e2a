import type { EndpointSliceView, ServiceView } from "./api-view"
import {
  EndpointsChangeTracker,
  endpointsMapFor,
  sliceInfoChanged,
  sliceUpdateOf,
  type EndpointsChange,
  type EndpointsChangeSource,
  type SliceInfo,
} from "./endpoints-change-tracker"
import { ServiceChangeTracker, type ServiceChange, type ServiceChangeSource } from "./service-change-tracker"
import type { NamespacedName } from "./service-port-name"

/** A proxier fed by a ProxyChangeFeed. */
export interface FeedMember {
  readonly nodeName: string
  /**
   * A change needs a sync, as the member's own trackers would have said (proxier.go: `if changed && isInitialized
   * { Sync() }`). Returns until when telling it again would do nothing (its sync runner is quiet: a request is
   * pending, or the rate limiter refuses); at or before now, or −∞: tell it every time.
   */
  changed(): number
}

/** One change the trackers took, in arrival order. */
type FeedEntry =
  | { readonly kind: "service"; readonly previous: ServiceView | undefined; readonly current: ServiceView | undefined }
  | {
      readonly kind: "slice"
      readonly service: NamespacedName
      readonly slice: EndpointSliceView
      readonly remove: boolean
      /** The Service's slices before this change. */
      readonly before: ReadonlyMap<string, SliceInfo>
    }

/** What a checkout between two positions hands over, as far as it is the same for every node. */
interface FeedCheckout {
  readonly services: Map<NamespacedName, ServiceChange>
  /** null when a Service's endpoints depend on the node (an `ip:port` in two slices): each member merges its own. */
  readonly endpoints: Map<NamespacedName, EndpointsChange> | null
}

/** The members whose last checkout was at one position, and what their trackers hold since. */
interface Window {
  members: number
  /** Their ServiceChangeTracker (the same for all of them: the same changes since the same checkout). */
  readonly services: ServiceChangeTracker
  /** ServiceChangeTracker.Update's answer to the last Service change: changes are pending. */
  servicesPending: boolean
  /** Checkouts from here, by the position they end at. */
  readonly checkouts: Map<number, FeedCheckout>
}

const NO_SLICES: ReadonlyMap<string, SliceInfo> = new Map()

/**
 * kube-proxy's change trackers (pkg/proxy servicechangetracker.go, endpointschangetracker.go), shared by the nodes
 * that hear the same informer events (issue 13, symmetry reduction). Every kube-proxy of a cluster hears every
 * Service and EndpointSlice change; on its own each keeps an informer cache, a tracker entry per Service and
 * does the tracker's bookkeeping for every change. The feed does it once: an append-only log of the changes the
 * trackers took, and per member the position of its last checkout. A checkout hands over what a tracker fed the
 * same changes since that position would: the Service changes netted as ServiceChangeTracker.Update nets them
 * (one real tracker per distinct position), and per Service with new slices its endpoints before and after
 * (EndpointsChangeTracker.checkoutChanges). Members that check out at the same positions share the result.
 *
 * A member that leaves (its node stops hearing the API) gets its own trackers holding exactly what it had not
 * checked out, and goes on alone.
 */
export class ProxyChangeFeed {
  /** The log from position `base` on (older entries are behind every member). */
  private entries: FeedEntry[] = []
  private base = 0
  /** Each Service's slices as of now (what a tracker's pending-else-applied infos say). */
  private readonly latest = new Map<NamespacedName, ReadonlyMap<string, SliceInfo>>()
  private readonly windows = new Map<number, Window>()
  private readonly members: Subscription[] = []
  /** Members that must be told of the next change (the others are quiet until their time in `quiet`). */
  private armed: Subscription[] = []
  private armedSorted = true
  private readonly quiet = new QuietHeap()
  private joined = 0

  /** `now`: the simulated clock, against which members' quiet times are compared (without: members are never skipped). */
  constructor(private readonly now: () => number = () => Infinity) {}

  /** The position after the last change. */
  get position(): number {
    return this.base + this.entries.length
  }

  /** A new member, whose trackers start empty now. */
  join(member: FeedMember): Subscription {
    const sub = new Subscription(this, member, this.position, this.joined++)
    this.windowAt(sub.cursor).members++
    this.members.push(sub)
    this.arm(sub)
    return sub
  }

  /** `sub` must be told of every change again (it synced, or its runner was held). */
  arm(sub: Subscription): void {
    if (sub.armed || sub.left) return
    sub.armed = true
    sub.epoch++
    if (this.armed.length > 0 && (this.armed[this.armed.length - 1] as Subscription).order > sub.order) this.armedSorted = false
    this.armed.push(sub)
  }

  /**
   * Tells the members that need it of a change, in the order they joined (the order each would have heard it in):
   * those `wants` accepts among the armed ones, after re-arming those whose quiet time has come. A member whose
   * runner is quiet afterwards is skipped until then: telling it would do nothing (BoundedFrequencyRunner.run).
   */
  private tell(wants: (sub: Subscription) => boolean): void {
    const now = this.now()
    for (let sub = this.quiet.popDue(now); sub !== undefined; sub = this.quiet.popDue(now)) this.arm(sub)
    if (!this.armedSorted) {
      this.armed.sort((a, b) => a.order - b.order)
      this.armedSorted = true
    }
    let kept = 0
    const list = this.armed
    for (let i = 0; i < list.length; i++) {
      const sub = list[i] as Subscription
      if (sub.left) continue
      if (wants(sub)) {
        const until = sub.member.changed()
        if (until > now && sub.armed) {
          sub.armed = false
          this.quiet.push(sub, until)
          continue
        }
      }
      list[kept++] = sub
    }
    list.length = kept
  }

  /** ServiceChangeTracker.Update for every member: each whose tracker then holds changes syncs. */
  serviceUpdate(previous: ServiceView | undefined, current: ServiceView | undefined): void {
    if (current === undefined && previous === undefined) return
    this.entries.push({ kind: "service", previous, current })
    for (const w of this.windows.values()) w.servicesPending = w.services.update(previous, current)
    this.tell(this.servicesPendingFor)
  }

  private readonly servicesPendingFor = (sub: Subscription): boolean => (this.windows.get(sub.cursor) as Window).servicesPending
  private static readonly everyone = (): boolean => true

  /** EndpointsChangeTracker.EndpointSliceUpdate for every member: a change (the same for all) makes each sync. */
  sliceUpdate(slice: EndpointSliceView, remove: boolean): void {
    const update = sliceUpdateOf(slice, remove)
    if (update === undefined) return
    const { service, info } = update
    const before = this.latest.get(service) ?? NO_SLICES
    if (!sliceInfoChanged(info, before.get(info.name))) return
    const after = new Map(before)
    if (info.remove) after.delete(info.name)
    else after.set(info.name, info)
    if (after.size === 0) this.latest.delete(service)
    else this.latest.set(service, after)
    this.entries.push({ kind: "slice", service, slice, remove, before })
    this.tell(ProxyChangeFeed.everyone)
  }

  /** checkoutChanges for `sub`: everything since its last checkout; it then stands at the current position. */
  checkout(sub: Subscription): FeedCheckout {
    const from = sub.cursor
    const to = this.position
    if (from === to) {
      this.arm(sub)
      return { services: new Map(), endpoints: new Map() }
    }
    const w = this.windows.get(from) as Window
    let shared = w.checkouts.get(to)
    if (shared === undefined) {
      shared = { services: w.services.peek(), endpoints: this.endpointChanges(from, sub.member.nodeName, true) }
      w.checkouts.set(to, shared)
    }
    const out = shared.endpoints !== null ? shared : { services: shared.services, endpoints: this.endpointChanges(from, sub.member.nodeName, false) as Map<NamespacedName, EndpointsChange> }
    this.leaveWindow(from)
    sub.cursor = to
    this.windowAt(to).members++
    this.prune()
    // A sync began: its runner takes requests again.
    this.arm(sub)
    return out
  }

  /**
   * The member leaves: its own trackers, holding what it has not checked out (a ServiceChangeTracker fed the
   * Service changes since its checkout; an EndpointsChangeTracker whose applied slices are those of then, fed the
   * slice changes since).
   */
  leave(sub: Subscription): { readonly services: ServiceChangeTracker; readonly endpoints: EndpointsChangeTracker } {
    const i = this.members.indexOf(sub)
    if (i < 0) throw new Error(`change feed: ${sub.member.nodeName} is not a member`)
    this.members.splice(i, 1)
    sub.left = true
    const services = new ServiceChangeTracker()
    const firstBefore = new Map<NamespacedName, ReadonlyMap<string, SliceInfo>>()
    const slices: Array<Extract<FeedEntry, { kind: "slice" }>> = []
    for (let k = sub.cursor - this.base; k < this.entries.length; k++) {
      const e = this.entries[k] as FeedEntry
      if (e.kind === "service") services.update(e.previous, e.current)
      else {
        if (!firstBefore.has(e.service)) firstBefore.set(e.service, e.before)
        slices.push(e)
      }
    }
    const applied = new Map(this.latest)
    for (const [nn, before] of firstBefore) applied.set(nn, before)
    const endpoints = EndpointsChangeTracker.withApplied(sub.member.nodeName, applied)
    for (const e of slices) endpoints.endpointSliceUpdate(e.slice, e.remove)
    this.leaveWindow(sub.cursor)
    this.prune()
    return { services, endpoints }
  }

  /**
   * Per Service with slice changes since `from` (in the order of its first one), its endpoints then and now;
   * with `sharedOnly`, null as soon as one Service's endpoints depend on the node.
   */
  private endpointChanges(from: number, nodeName: string, sharedOnly: boolean): Map<NamespacedName, EndpointsChange> | null {
    const firstBefore = new Map<NamespacedName, ReadonlyMap<string, SliceInfo>>()
    for (let k = from - this.base; k < this.entries.length; k++) {
      const e = this.entries[k] as FeedEntry
      if (e.kind === "slice" && !firstBefore.has(e.service)) firstBefore.set(e.service, e.before)
    }
    const out = new Map<NamespacedName, EndpointsChange>()
    for (const [nn, before] of firstBefore) {
      const previous = endpointsMapFor(before, nodeName)
      const current = endpointsMapFor(this.latest.get(nn) ?? NO_SLICES, nodeName)
      if (sharedOnly && (previous.nodeDependent || current.nodeDependent)) return null
      out.set(nn, { previous: previous.map, current: current.map })
    }
    return out
  }

  private windowAt(position: number): Window {
    let w = this.windows.get(position)
    if (w === undefined) {
      w = { members: 0, services: new ServiceChangeTracker(), servicesPending: false, checkouts: new Map() }
      this.windows.set(position, w)
    }
    return w
  }

  private leaveWindow(position: number): void {
    const w = this.windows.get(position) as Window
    if (--w.members === 0) this.windows.delete(position)
  }

  /** Drops the entries every member has checked out (in chunks, so the log is not copied per checkout). */
  private prune(): void {
    let oldest = this.position
    for (const p of this.windows.keys()) if (p < oldest) oldest = p
    const drop = oldest - this.base
    if (drop < 1024 && drop < this.entries.length) return
    this.entries = drop >= this.entries.length ? [] : this.entries.slice(drop)
    this.base = oldest
  }
}

/**
 * A member's view of the feed, as the two change sources its proxier checks out of (Services first, then
 * endpoints, in one syncProxyRules): the first checkout of a pair takes both parts, the second hands over the rest.
 */
export class Subscription {
  private stashed: FeedCheckout | undefined
  private taken: "services" | "endpoints" | undefined
  readonly services: ServiceChangeSource
  readonly endpoints: EndpointsChangeSource
  /** Told of every change (else quiet until its time in the feed's heap). */
  armed = false
  /** Bumped when armed: a heap entry from an earlier quiet spell is stale. */
  epoch = 0
  left = false

  constructor(
    private readonly feed: ProxyChangeFeed,
    readonly member: FeedMember,
    /** The position of the member's last checkout. */
    public cursor: number,
    /** When it joined, relative to the others (the order changes reach members in). */
    readonly order: number,
  ) {
    this.services = { checkout: () => this.part("services").services }
    this.endpoints = { checkout: () => this.part("endpoints").endpoints as Map<NamespacedName, EndpointsChange> }
  }

  /** Its runner was held outside its loop: tell it of every change again. */
  arm(): void {
    this.feed.arm(this)
  }

  private part(which: "services" | "endpoints"): FeedCheckout {
    const s = this.stashed
    if (s !== undefined && this.taken !== which) {
      this.stashed = undefined
      this.taken = undefined
      return s
    }
    const c = this.feed.checkout(this)
    this.stashed = c
    this.taken = which
    return c
  }
}

/** Quiet members by the time they must be told again (a binary min-heap; entries of re-armed members are skipped). */
class QuietHeap {
  private readonly at: number[] = []
  private readonly subs: Subscription[] = []
  private readonly epochs: number[] = []

  push(sub: Subscription, at: number): void {
    let i = this.at.length
    this.at.push(at)
    this.subs.push(sub)
    this.epochs.push(sub.epoch)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((this.at[parent] as number) <= at) break
      this.swap(i, parent)
      i = parent
    }
  }

  /** A member whose quiet time is at or before `now` and that is still quiet; undefined when none. */
  popDue(now: number): Subscription | undefined {
    while (this.at.length > 0 && (this.at[0] as number) <= now) {
      const sub = this.subs[0] as Subscription
      const epoch = this.epochs[0] as number
      this.removeTop()
      if (!sub.armed && !sub.left && sub.epoch === epoch) return sub
    }
    return undefined
  }

  private removeTop(): void {
    const last = this.at.length - 1
    this.swap(0, last)
    this.at.pop()
    this.subs.pop()
    this.epochs.pop()
    let i = 0
    const n = this.at.length
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < n && (this.at[l] as number) < (this.at[m] as number)) m = l
      if (r < n && (this.at[r] as number) < (this.at[m] as number)) m = r
      if (m === i) return
      this.swap(i, m)
      i = m
    }
  }

  private swap(i: number, j: number): void {
    const a = this.at[i] as number
    this.at[i] = this.at[j] as number
    this.at[j] = a
    const s = this.subs[i] as Subscription
    this.subs[i] = this.subs[j] as Subscription
    this.subs[j] = s
    const e = this.epochs[i] as number
    this.epochs[i] = this.epochs[j] as number
    this.epochs[j] = e
  }
}
