import type { NodeRules, UdpCleanup } from "../rules/node-rules"
import type { RequestOutcome } from "./request-outcome"

/** Where requests go: a ClusterIP or a node IP, and a port. */
export interface Target {
  readonly host: string
  readonly port: number
}

/**
 * A data plane the cases drive: the real kernel (network namespaces) or kubesim (simulated). Both take the same
 * kube-proxy rules and the same traffic, so a case is written once and run on each.
 */
export interface TrafficPlane {
  readonly label: "kernel" | "kubesim"
  /** Applies one kube-proxy sync (jump rules, then the restore payload with --noflush) to node `node`. */
  load(node: string, rules: NodeRules): void
  /** `count` sequential requests from client `client`, each on a new TCP connection, from `sources[i % n]`. */
  requests(client: string, target: Target, sources: ReadonlyArray<string | null>, count: number): Promise<ReadonlyArray<RequestOutcome>>
  /** Opens connection `id` from `client` (kept open) and makes its first request on it. */
  open(id: string, client: string, target: Target, source: string | null): Promise<RequestOutcome>
  /** Another request on held connection `id`. */
  again(id: string): Promise<RequestOutcome>
  close(id: string): Promise<void>
  /** kube-proxy's UDP conntrack cleanup on node `node`, run after a sync's restore (conntrack/cleanup.go). */
  cleanConntrack(node: string, cleanup: UdpCleanup): void
  /** One UDP datagram from `client`'s source port `sport` (the same port each time: one flow) and its reply. */
  udp(client: string, target: Target, sport: number): Promise<RequestOutcome>
  /** Lets `ms` pass with no traffic (real time or simulated time). */
  idle(ms: number): Promise<void>
}
