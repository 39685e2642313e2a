import { formatIpv4, IpvsTable, type IpvsService } from "../../../net/index"
import type { JumpRule } from "../iptables/jump-chains"
import { IpvsProxier, type IpvsProxierConfig } from "../ipvs/ipvs-proxier"
import type { IpvsKernel } from "../ipvs/ipvs-node"
import { FAKE_PROXIER_CONFIG } from "./fixtures"
import { NetfilterSink } from "./netfilter-node"

/**
 * Tests only: upstream's fake kernel for the IPVS proxier (ipvs/testing/fake.go, ipset/testing/fake.go,
 * netlink fake): an IpvsTable, the ipsets and iptables of a netfilter Ruleset (payloads restored with
 * --noflush, so `-m set` rules are evaluated against the same sets) and the addresses of kube-ipvs0.
 */
export class FakeIpvsKernel implements IpvsKernel {
  readonly ipvs = new IpvsTable()
  readonly netfilter = new NetfilterSink()
  readonly dummy = new Set<string>()
  readonly payloads: string[] = []
  failNext = false

  constructor(private readonly addresses: ReadonlyArray<string>) {}

  get ipsets() {
    return this.netfilter.ruleset.ipsets
  }
  get ruleset() {
    return this.netfilter.ruleset
  }
  dummyAddresses(): ReadonlyArray<string> {
    return [...this.dummy]
  }
  nodeAddresses(): ReadonlyArray<string> {
    return this.addresses.filter((a) => !a.startsWith("127."))
  }
  bindAddress(ip: string): void {
    this.dummy.add(ip)
  }
  unbindAddress(ip: string): void {
    this.dummy.delete(ip)
  }
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule>): void {
    if (this.failNext) {
      this.failNext = false
      throw new Error("iptables-restore: line 1 failed (injected)")
    }
    this.netfilter.restore(payload, jumpRules)
    this.payloads.push(payload)
  }
  get last(): string {
    return this.netfilter.last
  }

  /** `ipvsadm -Ln`-like state: each virtual server with its real servers (address:port/weight), sorted. */
  state(): string[] {
    const out: string[] = []
    for (const s of this.ipvs.services()) out.push(describe(s))
    return out.sort()
  }

  /** Entries of each non-empty set. */
  sets(): Record<string, string[]> {
    const out: Record<string, string[]> = {}
    for (const s of this.ipsets.all()) if (s.size > 0) out[s.name] = s.entries()
    return out
  }
}

const describe = (s: IpvsService): string => {
  const p = s.spec.persistence === null ? "" : ` persistent ${s.spec.persistence}`
  const dests = s.dests.map((d) => `${formatIpv4(d.address)}:${d.port}/${d.weight}`).sort()
  return `${s.spec.protocol} ${formatIpv4(s.spec.address)}:${s.spec.port} ${s.spec.scheduler}${p} -> ${dests.join(" ")}`
}

/**
 * Upstream's NewFakeProxier for IPVS (pkg/proxy/ipvs/proxier_test.go): node test-node, ClusterCIDR 10.0.0.0/24
 * local detector, mark 0x4000, rr; `addresses` are the fake netlink's local addresses (buildFakeProxier: none,
 * so no NodePort virtual servers unless nodePortAddresses pick interface addresses).
 */
export const fakeIpvsProxier = (overrides: Partial<IpvsProxierConfig> = {}, addresses: ReadonlyArray<string> = []) => {
  const clock = { now: 0 }
  const kernel = new FakeIpvsKernel(addresses)
  const proxier = new IpvsProxier(
    { ...FAKE_PROXIER_CONFIG, nodeName: "test-node", nodeIPs: ["100.101.102.103"], clusterCIDR: "10.0.0.0/24", interfaceAddresses: ["100.101.102.103"], ...overrides },
    { now: () => clock.now, kernel },
  )
  return { proxier, kernel, clock }
}
