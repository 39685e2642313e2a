import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../sim/index"

/** Initial retransmission timeout, also the first SYN retransmission (include/net/tcp.h TCP_TIMEOUT_INIT = 1 s). */
export const TCP_TIMEOUT_INIT = 1 * NANOS_PER_SECOND
/** net.ipv4.tcp_syn_retries default (include/net/tcp.h TCP_SYN_RETRIES = 6): connect gives up after ≈127 s. */
export const TCP_SYN_RETRIES = 6
/** net.ipv4.tcp_synack_retries default (include/net/tcp.h TCP_SYNACK_RETRIES = 5). */
export const TCP_SYNACK_RETRIES = 5
/** net.ipv4.tcp_retries2 default (include/net/tcp.h TCP_RETR2 = 15). */
export const TCP_RETRIES2 = 15
/** Bounds of the retransmission timeout (include/net/tcp.h TCP_RTO_MIN = HZ/5, TCP_RTO_MAX = 120 s). */
export const TCP_RTO_MIN = 200 * NANOS_PER_MILLI
export const TCP_RTO_MAX = 120 * NANOS_PER_SECOND
/** How long the side that closes first stays in TIME_WAIT (include/net/tcp.h TCP_TIMEWAIT_LEN = 60 s). */
export const TCP_TIMEWAIT_LEN = 60 * NANOS_PER_SECOND
/** net.ipv4.ip_local_port_range default: 32768 60999 (net/ipv4/af_inet.c inet_init_net). */
export const EPHEMERAL_PORT_MIN = 32768
export const EPHEMERAL_PORT_MAX = 60999

/** Why a TCP connection ended, as its application sees it. */
export type TcpCloseReason =
  /** Orderly close: the peer's FIN arrived (EOF). */
  | "fin"
  /** The peer answered the SYN with RST: nothing listens on that port (ECONNREFUSED). */
  | "refused"
  /** The peer reset an established connection (ECONNRESET). */
  | "reset"
  /** No answer: SYN retries exhausted, the application's connect timeout, or data retries exhausted (ETIMEDOUT). */
  | "timeout"
  /** ICMP net/host unreachable while connecting (no route somewhere on the path: EHOSTUNREACH/ENETUNREACH). */
  | "unreachable"
  /** ICMP port unreachable or administratively prohibited while connecting: a REJECT rule. */
  | "rejected"
