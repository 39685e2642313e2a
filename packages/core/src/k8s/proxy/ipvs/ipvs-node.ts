import type { IpSets, IpvsTable } from "../../../net/index"
import type { JumpRule } from "../iptables/jump-chains"
import type { ProxierConntrackSink } from "../proxier-informer-handlers"

/**
 * The kernel side kube-proxy's IPVS mode drives (pkg/proxy/ipvs: util/ipvs netlink, ipset, netlink_linux.go,
 * util/iptables). The proxier calls it during its sync, as upstream's syncProxyRules calls netlink and ipset.
 */
export interface IpvsKernel extends ProxierConntrackSink {
  /** The node's IP Virtual Server (`ipvsadm`). */
  readonly ipvs: IpvsTable
  /** The node's ipsets (those `-m set` rules read). */
  readonly ipsets: IpSets
  /** EnsureDummyDevice(kube-ipvs0), then GetLocalAddresses(kube-ipvs0): the addresses bound to it. */
  dummyAddresses(): ReadonlyArray<string>
  /**
   * GetAllLocalAddressesExcept(kube-ipvs0): every address of every other interface, without loopback addresses
   * (netlink_linux.go isValidForSet) — the NodePort virtual servers' addresses with match-all nodePortAddresses.
   */
  nodeAddresses(): ReadonlyArray<string>
  /** EnsureAddressBind(ip, kube-ipvs0). */
  bindAddress(ip: string): void
  /** UnbindAddress(ip, kube-ipvs0). */
  unbindAddress(ip: string): void
  /**
   * iptables-restore --noflush of the payload after EnsureChain/EnsureRule(Prepend) of `jumpRules`; throws when
   * the kernel refuses it. May land later (at the end of the sync's simulated duration).
   */
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule>): void
}

/** What the kube-proxy process takes from the node in IPVS mode: the kernel without the restore (that is the node's iptables side). */
export type IpvsKubeProxyNode = Omit<IpvsKernel, "restore" | "cleanConntrack">
