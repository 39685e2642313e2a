import type { Nanos, Rng } from "../../sim/index"
import type { Interface, MultipathSelector, Packet, Path, Route } from "../../net/index"

/** How the load balancer host picks a node for a flow it has not seen. */
export type FlowPick = "random" | "round-robin"

/**
 * The load balancer's per-flow state for the algorithms a stateless hash cannot give: the first packet of a flow
 * (5-tuple) picks a next hop of the VIP's multipath route at random or in turn; later packets follow it while the
 * hop stays in the route and the flow is not idle longer than `idleTimeout` (AWS NLB's TCP idle timeout is 350 s).
 * A flow whose node left the route is picked again, as a load balancer re-steers flows off an unhealthy backend.
 */
export class LbFlowTable implements MultipathSelector {
  private readonly flows = new Map<string, { via: number; seen: Nanos }>()
  private readonly turn = new Map<number, number>()
  private sweepAt = 1024

  constructor(readonly pick: FlowPick, readonly rng: Rng, readonly idleTimeout: Nanos) {}

  get size(): number {
    return this.flows.size
  }

  select(route: Route<Interface>, pkt: Packet, _hash: number, now: Nanos): Path<Interface> {
    const hops = route.nexthops as NonNullable<Route<Interface>["nexthops"]>
    const key = `${pkt.proto} ${pkt.src}:${pkt.sport} ${pkt.dst}:${pkt.dport}`
    const f = this.flows.get(key)
    if (f !== undefined && now - f.seen <= this.idleTimeout) {
      for (let i = 0; i < hops.length; i++) {
        const h = hops[i] as Path<Interface>
        if (h.via === f.via) {
          f.seen = now
          return h
        }
      }
    }
    let i: number
    if (this.pick === "random") i = Math.floor(this.rng.next() * hops.length)
    else {
      const t = this.turn.get(route.dst) ?? 0
      i = t % hops.length
      this.turn.set(route.dst, t + 1)
    }
    const h = hops[i] as Path<Interface>
    if (f !== undefined) {
      // Re-insert so the insertion order stays the order of last choice (the sweep walks oldest first).
      this.flows.delete(key)
    }
    this.flows.set(key, { via: h.via, seen: now })
    if (this.flows.size >= this.sweepAt) this.sweep(now)
    return h
  }

  /** Drops idle flows; runs when the table doubles, so its cost is amortised per new flow. */
  private sweep(now: Nanos): void {
    for (const [k, f] of this.flows) if (now - f.seen > this.idleTimeout) this.flows.delete(k)
    this.sweepAt = Math.max(1024, this.flows.size * 2)
  }
}
