import { fileURLToPath } from "node:url"
import { formatIpv4, parseCidr, validateTopology, type TopologySpec } from "../topology/topology-spec"
import { KernelClient } from "./kernel-client"
import { NetnsProcess } from "./netns-process"
import { NetnsRegistry } from "./netns-registry"
import { nextRunPrefix } from "./run-prefix"
import { runCommand } from "./run-command"

const POD_SERVER = fileURLToPath(new URL("./pod-server.mjs", import.meta.url))
const CLIENT_AGENT = fileURLToPath(new URL("./client-agent.mjs", import.meta.url))

/**
 * A TopologySpec made real: one namespace per node (its netfilter is the node's), per pod (running
 * pod-server.mjs) and per client (running client-agent.mjs), plus a `lan` namespace holding the bridge that
 * joins the nodes and external clients. Every veth is created inside our namespaces; nothing touches the
 * root namespace, there is no route out, and `teardown()` (or process exit) removes it all.
 */
export class KernelTopology {
  private readonly nodeNs = new Map<string, string>()
  private readonly clients = new Map<string, KernelClient>()

  private constructor(
    readonly spec: TopologySpec,
    readonly prefix: string,
    private readonly registry: NetnsRegistry,
  ) {}

  static async build(spec: TopologySpec): Promise<KernelTopology> {
    validateTopology(spec)
    const registry = new NetnsRegistry()
    const topo = new KernelTopology(spec, nextRunPrefix(), registry)
    try {
      await topo.create()
      return topo
    } catch (e) {
      registry.teardown()
      throw e
    }
  }

  private async create(): Promise<void> {
    const { spec, prefix, registry } = this
    const lanLen = parseCidr(spec.lanCidr, "lanCidr").prefix
    const ip = (ns: string, ...args: Array<string>) => runCommand(["ip", "-n", ns, ...args])
    const lan = registry.add(`${prefix}-lan`)
    ip(lan, "link", "add", "br0", "type", "bridge")
    ip(lan, "link", "set", "br0", "up")
    // A LAN port: veth `port` in the lan namespace (on br0), its peer `eth0` in `ns` with `addrs`.
    const lanPort = (ns: string, port: string, addrs: ReadonlyArray<string>) => {
      ip(lan, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
      ip(lan, "link", "set", port, "master", "br0", "up")
      for (const a of addrs) ip(ns, "addr", "add", `${a}/${lanLen}`, "dev", "eth0")
      ip(ns, "link", "set", "eth0", "up")
    }
    // A pod-like namespace on `node`, wired like kubesim's Fabric.addPod (and Calico): the node end `hostIf`
    // of the veth has no address and answers ARP for everything it routes elsewhere (proxy_arp); the pod has
    // only an on-link default route and a /32 route back on the node. So a masqueraded packet leaving by a
    // pod's veth takes the node IP (xt_MASQUERADE → inet_select_addr finds no address on the veth).
    const podLink = (nodeName: string, ns: string, hostIf: string, podIp: string) => {
      const nodeNs = this.nodeNs.get(nodeName)!
      ip(nodeNs, "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns)
      // Calico's settings (felix/dataplane/linux/endpoint_mgr.go configureInterface): proxy ARP answered at
      // once — the default proxy_delay (0.8 s, random) would delay each pod's first packet to a new peer.
      runCommand([
        "ip", "netns", "exec", nodeNs, "sysctl", "-qw",
        `net.ipv4.conf.${hostIf}.proxy_arp=1`, `net.ipv4.neigh.${hostIf}.proxy_delay=0`,
      ])
      ip(nodeNs, "link", "set", hostIf, "up")
      ip(nodeNs, "route", "add", `${podIp}/32`, "dev", hostIf, "scope", "link")
      ip(ns, "addr", "add", `${podIp}/32`, "dev", "eth0")
      ip(ns, "link", "set", "eth0", "up")
      ip(ns, "route", "add", "default", "dev", "eth0")
    }

    spec.nodes.forEach((n, i) => {
      const ns = registry.add(`${prefix}-n${i}`)
      this.nodeNs.set(n.name, ns)
      lanPort(ns, `n${i}`, [n.ip])
      // Forwarding on, inside the node namespace only (the root namespace's settings are not touched).
      runCommand(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
    })
    // Like a real node, a default route (to a LAN router that is never there): packets to a ClusterIP with
    // no DNAT still route, so they reach filter FORWARD/OUTPUT where kube-proxy REJECTs them.
    const router = formatIpv4(parseCidr(spec.lanCidr, "lanCidr").network + 1)
    for (const n of spec.nodes) {
      ip(this.nodeNs.get(n.name)!, "route", "add", "default", "via", router, "dev", "eth0")
      for (const other of spec.nodes) {
        if (other !== n) ip(this.nodeNs.get(n.name)!, "route", "add", other.podCidr, "via", other.ip, "dev", "eth0")
      }
    }
    const servers: Array<Promise<NetnsProcess>> = []
    spec.pods.forEach((p, j) => {
      const ns = registry.add(`${prefix}-p${j}`)
      podLink(p.node, ns, `p${j}`, p.ip)
      servers.push(NetnsProcess.start(registry, ns, `pod ${p.name}`, POD_SERVER, [p.name, String(p.port)], "listening"))
    })
    const agents: Array<Promise<void>> = []
    spec.clients.forEach((c, k) => {
      const ns = registry.add(`${prefix}-c${k}`)
      if (c.kind === "pod") podLink(c.node, ns, `c${k}`, c.ip)
      else {
        lanPort(ns, `c${k}`, c.ips)
        ip(ns, "route", "add", spec.serviceCidr, "via", spec.nodes[0]!.ip, "dev", "eth0")
      }
      agents.push(
        NetnsProcess.start(registry, ns, `client ${c.name}`, CLIENT_AGENT, [], "ready").then((agent) => {
          this.clients.set(c.name, new KernelClient(c.name, agent))
        }),
      )
    })
    await Promise.all([...servers, ...agents])
  }

  /** The namespace standing for node `name` (where its kube-proxy rules live). */
  nodeNamespace(name: string): string {
    const ns = this.nodeNs.get(name)
    if (ns === undefined) throw new Error(`no node "${name}" in this topology`)
    return ns
  }

  client(name: string): KernelClient {
    const c = this.clients.get(name)
    if (c === undefined) throw new Error(`no client "${name}" in this topology`)
    return c
  }

  /**
   * Loads `rules` (iptables-save / restore text) into node `name` with the real `iptables-restore`; throws
   * CommandFailed carrying iptables-restore's own message (it names the failing line) when the kernel or
   * iptables rejects it. `noflush` keeps chains the text does not mention, as kube-proxy's restore does.
   */
  restore(name: string, rules: string, options: { readonly noflush?: boolean; readonly counters?: boolean } = {}): void {
    const args = ["ip", "netns", "exec", this.nodeNamespace(name), "iptables-restore", "-w"]
    if (options.noflush === true) args.push("--noflush")
    if (options.counters === true) args.push("--counters")
    runCommand(args, rules)
  }

  /** Runs an nftables transaction in node `name` with the real `nft -f -`; throws CommandFailed with nft's message. */
  nftApply(name: string, text: string): void {
    runCommand(["ip", "netns", "exec", this.nodeNamespace(name), "nft", "-f", "-"], text)
  }

  /** The node's nftables as the real `nft list ruleset` prints them. */
  nftList(name: string): string {
    return runCommand(["ip", "netns", "exec", this.nodeNamespace(name), "nft", "list", "ruleset"]).stdout
  }

  /** The node's rules as the real `iptables-save` prints them. */
  save(name: string): string {
    return runCommand(["ip", "netns", "exec", this.nodeNamespace(name), "iptables-save"]).stdout
  }

  /** Runs a command inside node `name`'s namespace (e.g. `conntrack -L`, `cat /proc/net/xt_recent/…`). */
  execInNode(name: string, argv: ReadonlyArray<string>): string {
    return runCommand(["ip", "netns", "exec", this.nodeNamespace(name), ...argv]).stdout
  }

  teardown(): void {
    this.registry.teardown()
  }
}
