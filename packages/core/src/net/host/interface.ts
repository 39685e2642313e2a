import type { Ipv4 } from "../packet/packet"
import type { Link } from "../link/link"
import type { Host } from "./host"

/**
 * A network interface of a host: a name (`eth0`, `veth1a2b3c4d`, `lo`) that `-i`/`-o` rules match, the
 * addresses assigned to it, and the link it is plugged into (null for `lo` or an unplugged device).
 */
export class Interface {
  readonly addresses: Ipv4[] = []
  link: Link | null = null
  constructor(readonly host: Host, readonly name: string) {}

  /** The address the kernel picks as source on this device: its first, else the host's primary (inet_select_addr). */
  sourceAddress(): Ipv4 {
    const a = this.addresses[0]
    return a !== undefined ? a : this.host.primaryAddress
  }
}
