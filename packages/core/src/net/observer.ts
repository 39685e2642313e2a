import type { Packet } from "./packet/packet"
import type { DropReason } from "./packet/drop-reason"
import type { Host } from "./host/host"
import type { Link } from "./link/link"
import type { HookName, HookVerdict } from "./host/netfilter-hooks"
import type { IpvsConn } from "./ipvs/index"

/**
 * Watches packets hop by hop (for `kubesim trace` and for tests). Every method is optional; with no observer
 * installed the stack pays one null check per stage. The packet is live and mutable: copy what you keep.
 */
export interface PacketObserver {
  /** A host created the packet and handed it to its IP output path. */
  onSend?(host: Host, pkt: Packet): void
  /** The packet reached `host` (before any hook). */
  onArrive?(host: Host, pkt: Packet): void
  /** One table was traversed at one hook (after the verdict, before NAT is applied). */
  onHook?(host: Host, pkt: Packet, table: "nat" | "filter", hook: HookName, verdict: HookVerdict): void
  /** The packet left `host` on `link` (addresses as they are on the wire). */
  onTransmit?(host: Host, pkt: Packet, link: Link): void
  /** A socket (or the ICMP handler) of `host` took the packet. */
  onDeliver?(host: Host, pkt: Packet): void
  onDrop?(host: Host, pkt: Packet, reason: DropReason): void
  /**
   * IPVS took the packet at LOCAL_IN (ip_vs_in) for `conn`, scheduled now or found, its state already advanced;
   * called before ip_vs_nat_xmit rewrites the destination to the connection's real server.
   */
  onIpvs?(host: Host, pkt: Packet, conn: IpvsConn): void
}
