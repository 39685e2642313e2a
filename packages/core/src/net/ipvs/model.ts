import type { Nanos } from "../../sim/index"
import type { Ipv4 } from "../addr/index"

/** The schedulers kube-proxy offers (--ipvs-scheduler); net/netfilter/ipvs/ip_vs_{rr,wrr,lc,sh}.c. */
export type IpvsScheduler = "rr" | "wrr" | "lc" | "sh"
export const IPVS_SCHEDULERS: ReadonlyArray<IpvsScheduler> = ["rr", "wrr", "lc", "sh"]

export type IpvsProtocol = "TCP" | "UDP"

/** What `ipvsadm -A`/`-E` (netlink IPVS_CMD_NEW_SERVICE) sets on a virtual service. */
export interface IpvsServiceSpec {
  readonly protocol: IpvsProtocol
  readonly address: Ipv4
  readonly port: number
  readonly scheduler: IpvsScheduler
  /** `-p timeout` in seconds (IP_VS_SVC_F_PERSISTENT); null: not persistent. */
  readonly persistence: number | null
  /** `-M netmask` for persistence (kube-proxy leaves it at 255.255.255.255). */
  readonly netmask: number
}

/** A real server (struct ip_vs_dest). Counters are kept by the connection table. */
export class IpvsDest {
  activeConns = 0
  inactConns = 0
  persistConns = 0
  /** Cleared when deleted from its service (IP_VS_DEST_F_AVAILABLE); its connections live on. */
  available = true
  constructor(
    readonly address: Ipv4,
    readonly port: number,
    public weight: number,
  ) {}
}

/** A virtual service (struct ip_vs_service) and its destinations in the kernel's list order. */
export class IpvsService {
  /** svc->destinations: a new destination is put at the head (ip_vs_ctl.c __ip_vs_update_dest, list_add_rcu). */
  readonly dests: IpvsDest[] = []
  /** Scheduler state (rr/wrr position, wrr current weight, sh buckets); reset when destinations change. */
  schedPos = -1
  schedCw = 0
  shBuckets: ReadonlyArray<IpvsDest | null> | null = null
  constructor(public spec: IpvsServiceSpec) {}
  get key(): string {
    return serviceKey(this.spec.protocol, this.spec.address, this.spec.port)
  }
}

export const serviceKey = (protocol: IpvsProtocol, address: Ipv4, port: number): string => `${protocol}/${address}/${port}`

/** One entry of IPVS's connection table (struct ip_vs_conn); a template when `template` is set. */
export interface IpvsConn {
  readonly protocol: IpvsProtocol
  readonly caddr: Ipv4
  readonly cport: number
  readonly vaddr: Ipv4
  readonly vport: number
  readonly dest: IpvsDest
  readonly template: boolean
  /** ip_vs_proto_tcp.c state index (UDP: 0). */
  state: number
  inactive: boolean
  expiresAt: Nanos
  /** The template controlling this connection (ip_vs_control_add), or null. */
  control: IpvsConn | null
  /** For a template: the connections it controls (cp->n_control). */
  nControl: number
  timeout: Nanos
  /**
   * A template whose real server became unusable (ip_vs_conn.c ip_vs_check_template): rehashed with vport and dport
   * 0xffff so no client finds it again, it lives on until its timer, still controlling its connections.
   */
  invalidated: boolean
}
