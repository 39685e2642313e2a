/**
 * Why a packet ended without reaching a socket. Every packet ends delivered, dropped with one of these, or
 * is still in flight.
 */
export const DROP_REASONS = [
  /** The host is down: it drops everything it receives or would send. */
  "host-down",
  /** No route matched the destination (the kernel's ENETUNREACH / ICMP net-unreachable). */
  "no-route",
  /** A route matched but no interface on the link owns the next hop (ARP would fail: host unreachable). */
  "no-neighbor",
  /** A netfilter DROP verdict (rule or chain policy). */
  "filtered",
  /** A netfilter REJECT verdict (an ICMP error or TCP RST goes back to the sender). */
  "rejected",
  /** TTL reached zero while forwarding (ip_forward: ICMP time exceeded). */
  "ttl-exceeded",
  /** Reached an interface that has since been removed (a deleted pod's veth). */
  "interface-gone",
  /** Lost on a link (its loss probability). */
  "link-loss",
  /** Addressed to this host, but no socket wants it (TCP answers RST, UDP ICMP port-unreachable). */
  "no-socket",
  /** Not addressed to this host and the host does not forward (net.ipv4.ip_forward = 0). */
  "not-forwarding",
  /** Conntrack could not give the connection a unique tuple after NAT (nf_nat_core.c found no free port). */
  "nat-clash",
  /** A new connection with the conntrack table at nf_conntrack_max and nothing to early-drop ("nf_conntrack: table full, dropping packet"). */
  "conntrack-full",
  /** A SYN to a listener whose accept queue is full (tcp_conn_request, LINUX_MIB_LISTENOVERFLOWS). */
  "listen-overflow",
] as const

export type DropReason = (typeof DROP_REASONS)[number]

/** Index of each reason in a counter array. */
export const dropReasonIndex: Readonly<Record<DropReason, number>> = Object.fromEntries(
  DROP_REASONS.map((r, i) => [r, i]),
) as Record<DropReason, number>
