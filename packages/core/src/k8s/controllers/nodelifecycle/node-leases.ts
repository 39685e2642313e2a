import type { Nanos } from "../../../sim/index"

/**
 * The kube-node-lease namespace's Lease objects reduced to what the node lifecycle controller reads: when each
 * node's kubelet last renewed its lease (every 10 s by default: `nodeLeaseDurationSeconds` 40 × 0.25,
 * pkg/kubelet/nodelease). The kubelet calls `renew`; a failed node stops renewing.
 */
export class NodeLeases {
  private readonly renewed = new Map<string, Nanos>()
  private readonly listeners: Array<(node: string, at: Nanos) => void> = []

  renew(node: string, at: Nanos): void {
    this.renewed.set(node, at)
    for (const l of this.listeners) l(node, at)
  }

  lastRenewed(node: string): Nanos | undefined {
    return this.renewed.get(node)
  }

  /** @internal the node lifecycle controller's subscription. */
  onRenew(listener: (node: string, at: Nanos) => void): void {
    this.listeners.push(listener)
  }
}

/** pkg/kubelet/nodelease `renewIntervalFraction` × the default lease duration (40 s): 10 s. */
export const DEFAULT_LEASE_RENEW_INTERVAL: Nanos = 10_000_000_000
