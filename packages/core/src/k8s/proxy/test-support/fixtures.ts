import type { EndpointSliceView, EndpointView, Protocol, ServiceSpecView, ServiceView } from "../api-view"
import type { JumpRule } from "../iptables/jump-chains"
import { IptablesProxier, type IptablesRuleSink } from "../iptables/iptables-proxier"
import type { Proxier } from "../proxier"
import type { IptablesProxierConfig } from "../iptables/config"

/** Upstream's NewFakeProxier settings (pkg/proxy/iptables/proxier_test.go), as our config. */
export const FAKE_PROXIER_CONFIG: IptablesProxierConfig = {
  nodeName: "test-node",
  nodeIPs: ["192.168.0.2"],
  clusterCIDR: "10.0.0.0/8",
  masqueradeMark: "0x4000",
  localhostNodePorts: true,
  nfacct: true,
  randomFully: false,
  interfaceAddresses: ["127.0.0.1", "192.168.0.2", "192.168.1.2", "192.168.99.11"],
}

export const service = (namespace: string, name: string, spec: ServiceSpecView, lbIngress?: ReadonlyArray<string>): ServiceView => ({
  metadata: { namespace, name },
  spec: { type: "ClusterIP", sessionAffinity: "None", ...spec },
  ...(lbIngress === undefined ? {} : { status: { loadBalancer: { ingress: lbIngress.map((ip) => ({ ip })) } } }),
})

/** makeTestEndpointSlice: named `<svc>-<n>`, labelled with the service name. */
export const slice = (
  namespace: string,
  svc: string,
  n: number,
  endpoints: ReadonlyArray<EndpointView>,
  ports: ReadonlyArray<{ name: string; port: number; protocol?: Protocol }>,
): EndpointSliceView => ({
  metadata: { namespace, name: `${svc}-${n}`, labels: { "kubernetes.io/service-name": svc } },
  addressType: "IPv4",
  endpoints,
  ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? "TCP" })),
})

/** A sink that records every payload and can be told to fail the next restore. */
export class RecordingSink implements IptablesRuleSink {
  readonly payloads: string[] = []
  readonly jumpRules: (ReadonlyArray<JumpRule> | undefined)[] = []
  failNext = false
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void {
    if (this.failNext) {
      this.failNext = false
      throw new Error("iptables-restore: line 1 failed (injected)")
    }
    this.land(payload, jumpRules)
    this.payloads.push(payload)
    this.jumpRules.push(jumpRules)
  }
  /** Where a payload goes besides the record (nowhere here; a netfilter Ruleset in NetfilterSink). */
  protected land(_payload: string, _jumpRules: ReadonlyArray<JumpRule> | undefined): void {}
  get last(): string {
    const p = this.payloads[this.payloads.length - 1]
    if (p === undefined) throw new Error("no payload restored yet")
    return p
  }
}

/** A proxier with the fake config (overridable) writing to `sink`, and a settable clock. */
export const proxierOn = <S extends IptablesRuleSink>(sink: S, overrides: Partial<IptablesProxierConfig> = {}) => {
  const clock = { now: 0 }
  const proxier = new IptablesProxier({ ...FAKE_PROXIER_CONFIG, ...overrides }, { now: () => clock.now, sink })
  return { proxier, sink, clock }
}

/** A proxier with the fake config (overridable), a recording sink and a settable clock. */
export const fakeProxier = (overrides: Partial<IptablesProxierConfig> = {}) => proxierOn(new RecordingSink(), overrides)

/** makeServiceMap + populateEndpointSlices + the informers' synced callbacks. */
export const startProxier = (
  proxier: Proxier,
  services: ReadonlyArray<ServiceView>,
  slices: ReadonlyArray<EndpointSliceView>,
): void => {
  for (const s of services) proxier.onServiceAdd(s)
  for (const s of slices) proxier.onEndpointSliceAdd(s)
  proxier.onServiceSynced()
  proxier.onEndpointSlicesSynced()
}
