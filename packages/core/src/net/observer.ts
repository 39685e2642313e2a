import type { Packet } from "./packet/packet"
import type { DropReason } from "./packet/drop-reason"
import type { Host } from "./host/host"
import type { Link } from "./link/link"
import type { HookName, HookVerdict } from "./host/netfilter-hooks"
import type { IpvsConn } from "./ipvs/model"

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
  /**
   * IPVS took the packet (ip_vs_in: `reply` false, before the destination becomes the real server) or un-NATed a
   * real server's reply (ip_vs_out: `reply` true, after the source became the virtual address).
   */
  onIpvs?(host: Host, pkt: Packet, conn: IpvsConn, reply: boolean): void
  /** The packet left `host` on `link` (addresses as they are on the wire). */
  onTransmit?(host: Host, pkt: Packet, link: Link): void
  /** A socket (or the ICMP handler) of `host` took the packet. */
  onDeliver?(host: Host, pkt: Packet): void
  onDrop?(host: Host, pkt: Packet, reason: DropReason): void
}
