import { hashName } from "../../sim/index"
import { cidrContains, formatCidr, type Cidr } from "../addr/index"
import { Ruleset } from "../netfilter/index"
import type { Ipv4 } from "../packet/packet"
import type { ConntrackTimeouts } from "../conntrack/timeouts"
import type { Host } from "../host/host"
import { IptablesHooks } from "../host/iptables-hooks"
import { NetfilterStack } from "../host/netfilter-stack"
import { NftRuleset } from "../nftables/index"
import type { Link, LinkParams } from "../link/link"
import type { Network } from "../network"
import { SharedRoutes } from "../route/shared-routes"

export interface FabricOptions {
  /** The nodes' LAN; node and external addresses must lie in it. */
  readonly lan: Cidr
  /** Node ⇄ node / external host latency etc. Default 100 µs, no jitter, no loss. */
  readonly lanLink?: LinkParams
  /** Pod ⇄ node (veth) link. Default 5 µs. */
  readonly vethLink?: LinkParams
  /** A default gateway on the LAN for nodes and external hosts; default: an on-link default route. */
  readonly gateway?: Ipv4
  readonly conntrackTimeouts?: ConntrackTimeouts
  /**
   * LAN settings by the pair of hosts a packet travels between, instead of `lanLink` for every pair: node ⇄ node
   * in one zone, node ⇄ node across zones (NodeSpec `zone`), and any pair with a non-node host (external clients
   * and servers, the load balancer, the upstream DNS).
   */
  readonly lanPairs?: LanPairParams
}

/** See FabricOptions `lanPairs`. */
export interface LanPairParams {
  readonly nodes: LinkParams
  readonly crossZone: LinkParams
  readonly external: LinkParams
}

export interface NodeSpec {
  readonly ip: Ipv4
  /** The node's pod CIDR (spec.podCIDR). */
  readonly podCidr: Cidr
  /** Its zone (`topology.kubernetes.io/zone`), for FabricOptions `lanPairs`; nodes without one share a zone. */
  readonly zone?: string
}

export interface LanHostSpec {
  readonly ip: Ipv4
  /** Forward packets (a router or a load balancer). Default false. */
  readonly forwarding?: boolean
  /** Give the host an iptables ruleset (and conntrack). Default false. */
  readonly iptables?: boolean
  /** Extra routes `dst/prefix via gateway` (e.g. a Service CIDR via a node). */
  readonly routes?: ReadonlyArray<{ readonly dst: Cidr; readonly via: Ipv4 }>
  /**
   * An internet address outside the LAN (a public web server): the host sits on the LAN segment with a /32, so a
   * node's on-link default route delivers to it directly — the hop kind's docker bridge gateway (which NATs to
   * the internet) would take. Default false: the address must lie in the LAN.
   */
  readonly beyondLan?: boolean
}

/** The veth name a pod's interface has on its node: `veth` + 8 hex digits of the pod's name hash (like Calico's `cali…`). */
export const vethName = (podName: string): string => `veth${(hashName(podName) >>> 0).toString(16).padStart(8, "0")}`

const DEFAULT_LAN: LinkParams = { latency: 100_000 }
const DEFAULT_VETH: LinkParams = { latency: 5_000 }

/**
 * Wires a cluster's flat L3 network (a host-gw style CNI): nodes on one LAN, each routing the other nodes'
 * pod CIDRs via those nodes and each of its own pods via a /32 route to the pod's veth; pods with a default
 * route through their node; external hosts (clients, a load balancer, DNS servers) on the LAN.
 *
 * Nodes forward, track connections and carry an iptables Ruleset and an nftables ruleset beside it (both empty
 * until kube-proxy writes one of them; the kernel runs both on the same hooks).
 */
/** What the fabric holds per node: its host, spec, and iptables and nftables rulesets. */
export interface FabricNode {
  readonly host: Host
  readonly spec: NodeSpec
  readonly ruleset: Ruleset
  readonly nft: NftRuleset
}

export class Fabric {
  readonly lan: Link
  readonly nodes = new Map<string, FabricNode>()
  readonly pods = new Map<string, { readonly host: Host; readonly node: string; readonly ip: Ipv4; readonly link: Link }>()
  private readonly lanParams: LinkParams
  private readonly vethParams: LinkParams
  /** LAN pair groups: 0 for non-node hosts, then one per node zone in order of first appearance. */
  private readonly zoneGroups = new Map<string, number>()
  /** The nodes' pod CIDR routes, shared by every node's table (a node's own is not in its table). */
  private readonly podRoutes = new SharedRoutes()

  constructor(readonly net: Network, readonly options: FabricOptions) {
    this.lanParams = options.lanLink ?? DEFAULT_LAN
    this.vethParams = options.vethLink ?? DEFAULT_VETH
    this.lan = net.addLink("lan", this.lanParams)
    if (options.lanPairs !== undefined) this.lan.setPairTable({ groups: 1, between: [options.lanPairs.external] })
  }

  /** Adds a node: `eth0` on the LAN, forwarding, conntrack, an iptables ruleset, routes to every other node's pods. */
  addNode(name: string, spec: NodeSpec): Host {
    this.checkLan(name, spec.ip)
    const ruleset = new Ruleset()
    const h = this.net.addHost(name, {
      forwarding: true,
      conntrack: true,
      ...(this.options.conntrackTimeouts !== undefined ? { conntrackTimeouts: this.options.conntrackTimeouts } : {}),
    })
    const nft = new NftRuleset()
    h.setNetfilter(new NetfilterStack(ruleset, nft, h))
    this.plugLan(h, spec.ip)
    if (this.options.lanPairs !== undefined) this.groupNode(h, spec.zone ?? "", this.options.lanPairs)
    // host-gw: every node routes each other node's pod CIDR via that node (kindnet's routes), held once for all.
    h.routes.attachShared(this.podRoutes, h, h.iface("eth0"))
    this.podRoutes.add(spec.podCidr.base, spec.podCidr.prefix, spec.ip, h)
    this.nodes.set(name, { host: h, spec, ruleset, nft })
    return h
  }

  node(name: string): Host {
    return this.nodeEntry(name).host
  }

  /** The node's address on the LAN (what a hostNetwork pod on it has as its IP). */
  nodeIp(name: string): Ipv4 {
    return this.nodeEntry(name).spec.ip
  }

  ruleset(node: string): Ruleset {
    return this.nodeEntry(node).ruleset
  }

  /** The node's nftables ruleset (what `nft list ruleset` shows there). */
  nftRuleset(node: string): NftRuleset {
    return this.nodeEntry(node).nft
  }

  private nodeEntry(name: string): FabricNode {
    const n = this.nodes.get(name)
    if (n === undefined) throw new Error(`fabric: no node named "${name}"`)
    return n
  }

  /** Adds a pod on `node` with address `ip` (inside the node's pod CIDR): a veth pair and routes both ways. */
  addPod(node: string, podName: string, ip: Ipv4): Host {
    const n = this.nodes.get(node)
    if (n === undefined) throw new Error(`fabric: pod ${podName}: no node named "${node}"`)
    if (!cidrContains(n.spec.podCidr, ip)) throw new Error(`fabric: pod ${podName}: ${ip >>> 0} is outside ${node}'s pod CIDR ${formatCidr(n.spec.podCidr)}`)
    if (this.pods.has(podName)) throw new Error(`fabric: a pod named "${podName}" already exists`)
    const pod = this.net.addHost(podName, {})
    const link = this.net.addLink(`veth/${podName}`, this.vethParams, true)
    const eth0 = pod.addInterface("eth0")
    link.attach(eth0)
    pod.addAddress("eth0", ip)
    pod.addRoute(0, 0, "eth0")
    const veth = n.host.addInterface(vethName(podName))
    link.attach(veth)
    n.host.addRoute(ip, 32, veth.name)
    this.pods.set(podName, { host: pod, node, ip, link })
    return pod
  }

  /**
   * Deletes a pod: its host goes down (packets still on the way are dropped `host-down`), its veth and route
   * leave the node. Conntrack entries elsewhere stay, as in the kernel.
   */
  removePod(podName: string): void {
    const p = this.pods.get(podName)
    if (p === undefined) throw new Error(`fabric: no pod named "${podName}"`)
    const n = this.nodes.get(p.node) as { host: Host }
    p.host.up = false
    n.host.removeInterface(vethName(podName))
    p.host.removeInterface("eth0")
    this.net.removeLink(p.link)
    this.net.removeHost(podName)
    this.pods.delete(podName)
  }

  /** Adds a host on the LAN (an external client, a load balancer, a DNS server). */
  addLanHost(name: string, spec: LanHostSpec): Host {
    if (spec.beyondLan !== true) this.checkLan(name, spec.ip)
    else if (cidrContains(this.options.lan, spec.ip)) throw new Error(`fabric: host ${name}: beyondLan address is inside the LAN ${formatCidr(this.options.lan)}`)
    const h = this.net.addHost(name, {
      forwarding: spec.forwarding ?? false,
      conntrack: spec.iptables ?? false,
      ...(this.options.conntrackTimeouts !== undefined ? { conntrackTimeouts: this.options.conntrackTimeouts } : {}),
    })
    if (spec.iptables === true) h.setNetfilter(new IptablesHooks(new Ruleset(), h))
    this.plugLan(h, spec.ip, spec.beyondLan === true ? 32 : this.options.lan.prefix)
    for (const r of spec.routes ?? []) h.addRoute(r.dst.base, r.dst.prefix, "eth0", r.via)
    return h
  }

  /** Puts a node's LAN interface in its zone's group, growing the pair table when the zone is new. */
  private groupNode(h: Host, zone: string, p: LanPairParams): void {
    let g = this.zoneGroups.get(zone)
    if (g === undefined) {
      g = this.zoneGroups.size + 1
      this.zoneGroups.set(zone, g)
      const groups = g + 1
      const between = Array.from({ length: groups * groups }, (_, i) => {
        const a = Math.floor(i / groups)
        const b = i % groups
        return a === 0 || b === 0 ? p.external : a === b ? p.nodes : p.crossZone
      })
      this.lan.setPairTable({ groups, between })
    }
    this.lan.setGroup(h.iface("eth0"), g)
  }

  private plugLan(h: Host, ip: Ipv4, prefix = this.options.lan.prefix): void {
    const eth0 = h.addInterface("eth0")
    this.lan.attach(eth0)
    h.addAddress("eth0", ip, prefix)
    h.addRoute(0, 0, "eth0", this.options.gateway ?? 0)
  }

  private checkLan(name: string, ip: Ipv4): void {
    if (!cidrContains(this.options.lan, ip)) throw new Error(`fabric: host ${name}: address is outside the LAN ${formatCidr(this.options.lan)}`)
  }
}

