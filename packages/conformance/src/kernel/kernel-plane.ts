import type { NodeRules, UdpCleanup } from "../rules/node-rules"
import type { RequestOutcome } from "../traffic/request-outcome"
import type { Target, TrafficPlane } from "../traffic/traffic-plane"
import type { KernelTopology } from "./kernel-topology"
import { cleanStaleUdpEntries } from "./clean-conntrack"
import { loadNodeRules } from "./load-node-rules"

/** The real kernel as a TrafficPlane: rules go in with iptables, requests are real sockets, idle is real time. */
export class KernelPlane implements TrafficPlane {
  readonly label = "kernel" as const
  private readonly heldBy = new Map<string, string>()

  constructor(readonly topology: KernelTopology) {}

  load(node: string, rules: NodeRules): void {
    loadNodeRules(this.topology, node, rules)
  }

  requests(client: string, target: Target, sources: ReadonlyArray<string | null>, count: number): Promise<ReadonlyArray<RequestOutcome>> {
    return this.topology.client(client).requests(target, sources, count)
  }

  open(id: string, client: string, target: Target, source: string | null): Promise<RequestOutcome> {
    this.heldBy.set(id, client)
    return this.topology.client(client).open(id, target, source)
  }

  again(id: string): Promise<RequestOutcome> {
    return this.topology.client(this.owner(id)).again(id)
  }

  async close(id: string): Promise<void> {
    await this.topology.client(this.owner(id)).close(id)
    this.heldBy.delete(id)
  }

  cleanConntrack(node: string, cleanup: UdpCleanup): void {
    cleanStaleUdpEntries(this.topology, node, cleanup)
  }

  udp(client: string, target: Target, sport: number): Promise<RequestOutcome> {
    return this.topology.client(client).udp(target, sport)
  }

  idle(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  private owner(id: string): string {
    const c = this.heldBy.get(id)
    if (c === undefined) throw new Error(`kernel: no held connection "${id}"`)
    return c
  }
}
