import { formatIpv4, IpvsTable, parseIpv4, type Host, type IpSets } from "../../net/index"
import { KUBE_IPVS0, type IpvsKubeProxyNode } from "../proxy/index"

/**
 * The node side of kube-proxy's IPVS mode: the host's IP Virtual Server (`host.ipvs`, created here: the ip_vs
 * module loaded), the `kube-ipvs0` dummy interface holding the Service addresses (netlink_linux.go
 * EnsureDummyDevice / EnsureAddressBind / UnbindAddress), and the node's ipsets (those of its netfilter, which
 * the `-m set` rules read). The iptables side (payload, jump rules, UDP conntrack cleanup) is the NodeRuleset's.
 */
export class NodeIpvs implements IpvsKubeProxyNode {
  readonly ipvs: IpvsTable

  constructor(
    readonly host: Host,
    readonly ipsets: IpSets,
  ) {
    if (host.ipvs === null) host.ipvs = new IpvsTable()
    this.ipvs = host.ipvs
  }

  dummyAddresses(): ReadonlyArray<string> {
    // EnsureDummyDevice: `ip link add kube-ipvs0 type dummy` when absent (kube-proxy never sets it up).
    if (!this.host.interfaces.has(KUBE_IPVS0)) this.host.addInterface(KUBE_IPVS0)
    return this.host.iface(KUBE_IPVS0).addresses.map(formatIpv4)
  }

  /** GetAllLocalAddressesExcept(kube-ipvs0): loopback addresses are not valid for the sets (isValidForSet). */
  nodeAddresses(): ReadonlyArray<string> {
    const out: string[] = []
    for (const i of this.host.interfaces.values()) {
      if (i.name === KUBE_IPVS0) continue
      for (const a of i.addresses) if (a >>> 24 !== 127) out.push(formatIpv4(a))
    }
    return out
  }

  /** EnsureAddressBind: binding an address already there is no error and changes nothing (netlink's EEXIST). */
  bindAddress(ip: string): void {
    this.dummyAddresses()
    const a = parseIpv4(ip)
    if (this.host.iface(KUBE_IPVS0).addresses.includes(a)) return
    this.host.addAddress(KUBE_IPVS0, a, 32)
  }

  unbindAddress(ip: string): void {
    this.host.removeAddress(KUBE_IPVS0, parseIpv4(ip))
  }
}
