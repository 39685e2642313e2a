/**
 * The cluster's network as plain data, built twice from the same spec: once from real network namespaces
 * (kernel/kernel-topology.ts) and once from kubesim's hosts and links. Addresses are dotted-quad strings.
 *
 * Shape, like kubesim's net Fabric (a host-gw style CNI, veths as Calico wires them): every node has one
 * address on a shared LAN, a /32 route per pod to the pod's veth (whose node end has no address), and routes
 * to the other nodes' pod CIDRs via their node IPs. No bridge between pods, so every pod-to-pod packet
 * crosses a node's netfilter — which is what kube-proxy assumes (with bridges it needs br_netfilter).
 */
export interface TopologySpec {
  /** The LAN of node IPs and external clients, e.g. "10.0.0.0/24"; its first address is the nodes' default
   *  gateway, which is never there (no route out), so it must not be given to a node or client. */
  readonly lanCidr: string
  /** ClusterIPs; external clients route this range via the first node (so they can reach ClusterIPs too). */
  readonly serviceCidr: string
  readonly nodes: ReadonlyArray<NodeSpec>
  readonly pods: ReadonlyArray<PodSpec>
  readonly clients: ReadonlyArray<ClientSpec>
}

export interface NodeSpec {
  readonly name: string
  /** The node's InternalIP, on the LAN. */
  readonly ip: string
  /** e.g. "10.244.1.0/24"; the node's pods take their addresses from it. */
  readonly podCidr: string
}

/** A pod running the tiny HTTP server that answers with its name and the peer address it saw. */
export interface PodSpec {
  readonly name: string
  readonly node: string
  readonly ip: string
  readonly port: number
}

/** Where requests come from: a pod on a node (one IP), or a machine on the LAN with chosen source IPs. */
export type ClientSpec =
  | { readonly kind: "pod"; readonly name: string; readonly node: string; readonly ip: string }
  | { readonly kind: "external"; readonly name: string; readonly ips: ReadonlyArray<string> }

/** Checks names are unique, pods/clients name existing nodes and addresses parse; throws naming the field. */
export const validateTopology = (spec: TopologySpec): void => {
  const lan = parseCidr(spec.lanCidr, "lanCidr")
  parseCidr(spec.serviceCidr, "serviceCidr")
  const onLan = (ip: string, where: string): void => {
    const a = parseIpv4(ip, where)
    const size = 2 ** (32 - lan.prefix)
    if (a <= lan.network + 1 || a >= lan.network + size - 1) {
      throw new Error(`topology ${where}: ${ip} must be a host address of lanCidr ${spec.lanCidr} other than its first`)
    }
  }
  const names = new Set<string>()
  const unique = (name: string, where: string): void => {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`topology ${where}: name "${name}" must be [a-z0-9-]`)
    if (names.has(name)) throw new Error(`topology ${where}: name "${name}" is used twice`)
    names.add(name)
  }
  const nodes = new Set<string>()
  spec.nodes.forEach((n, i) => {
    unique(n.name, `nodes[${i}]`)
    onLan(n.ip, `nodes[${i}].ip`)
    parseCidr(n.podCidr, `nodes[${i}].podCidr`)
    nodes.add(n.name)
  })
  const onNode = (node: string, where: string): void => {
    if (!nodes.has(node)) throw new Error(`topology ${where}.node: no node named "${node}"`)
  }
  spec.pods.forEach((p, i) => {
    unique(p.name, `pods[${i}]`)
    onNode(p.node, `pods[${i}]`)
    parseIpv4(p.ip, `pods[${i}].ip`)
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw new Error(`topology pods[${i}].port: expected 1..65535, got ${p.port}`)
    }
  })
  spec.clients.forEach((c, i) => {
    unique(c.name, `clients[${i}]`)
    if (c.kind === "pod") {
      onNode(c.node, `clients[${i}]`)
      parseIpv4(c.ip, `clients[${i}].ip`)
    } else {
      if (c.ips.length === 0) throw new Error(`topology clients[${i}].ips: needs at least one address`)
      c.ips.forEach((ip, j) => onLan(ip, `clients[${i}].ips[${j}]`))
    }
  })
}

/** Dotted quad → uint32; throws naming `where`. */
export const parseIpv4 = (text: string, where: string): number => {
  const parts = text.split(".")
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    throw new Error(`topology ${where}: "${text}" is not an IPv4 address`)
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0)
}

export const formatIpv4 = (n: number): string =>
  `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`

/** "a.b.c.d/len" → network address and prefix length; throws naming `where`. */
export const parseCidr = (text: string, where: string): { readonly network: number; readonly prefix: number } => {
  const [ip, len, extra] = text.split("/")
  const prefix = Number(len)
  if (ip === undefined || extra !== undefined || !/^[0-9]{1,2}$/.test(len ?? "") || prefix > 32) {
    throw new Error(`topology ${where}: "${text}" is not a CIDR like 10.244.1.0/24`)
  }
  const addr = parseIpv4(ip, where)
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return { network: (addr & mask) >>> 0, prefix }
}
