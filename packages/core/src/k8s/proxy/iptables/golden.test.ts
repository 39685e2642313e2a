import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { parseRestore } from "../../../net/index"
import { fakeProxier, service, slice, startProxier } from "../test-support/fixtures"
import { OVERALL_SERVICES as services, OVERALL_SLICES as slices } from "../test-support/overall-fixture"
import { canonicalOrder } from "./canonical-order"

const golden = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")


// pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules: same inputs, identical text after sortIPTablesRules.
describe("TestOverallIPTablesRules", () => {
  it("reproduces the upstream fixture byte for byte", () => {
    const { proxier, sink } = fakeProxier()
    startProxier(proxier, services, slices)
    expect(canonicalOrder(sink.last)).toBe(golden("overall-iptables-rules.golden"))
  })

  it("counts nat rules as the sync_proxy_rules_iptables_total metric does", () => {
    const { proxier, sink } = fakeProxier()
    startProxier(proxier, services, slices)
    const nat = parseRestore(sink.last).sections.find((sec) => sec.table === "nat")
    const natRules = nat?.commands.filter((c) => c.op === "append").length
    expect(proxier.lastResult?.natRulesTotal).toBe(natRules)
    expect(proxier.lastResult?.fullSync).toBe(true)
  })

  it("writes the same payload whatever order the objects arrive in", () => {
    const a = fakeProxier()
    startProxier(a.proxier, services, slices)
    const b = fakeProxier()
    startProxier(b.proxier, [...services].reverse(), [...slices].reverse())
    expect(b.sink.last).toBe(a.sink.last)
  })

  it("emits no nfacct matches when the kernel lacks nfacct, and --random-fully when iptables has it", () => {
    const { proxier, sink } = fakeProxier({ nfacct: false, randomFully: true })
    startProxier(proxier, services, slices)
    expect(sink.last).not.toContain("nfacct")
    expect(sink.last).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully\n')
    expect(sink.last).toContain("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n")
  })

  it("writes a real kube-proxy's mark 0x00004000 unless told the fake proxier's 0x4000", () => {
    const { proxier, sink } = fakeProxier({ masqueradeMark: undefined })
    startProxier(proxier, services, slices)
    expect(sink.last).toContain("-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000\n")
  })
})

// TestSyncProxyRulesRepeated (the ~v1.27 revision, before nfacct): partial syncs and stale-chain deletion.
describe("TestSyncProxyRulesRepeated", () => {
  const steps = new Map<number, string>()
  for (const part of golden("sync-proxy-rules-repeated.golden").split("### step ").slice(1)) {
    const nl = part.indexOf("\n")
    steps.set(Number(part.slice(0, nl)), part.slice(nl + 1))
  }
  const svc = (ns: string, name: string, ip: string, port: string, num: number) =>
    service(ns, name, { clusterIP: ip, ports: [{ name: port, port: num, protocol: "TCP" }] })

  it("writes only what changed, and deletes stale chains", () => {
    const { proxier, sink } = fakeProxier({ nfacct: false })
    const svc2 = svc("ns2", "svc2", "172.30.0.42", "p8080", 8080)
    startProxier(
      proxier,
      [svc("ns1", "svc1", "172.30.0.41", "p80", 80), svc2],
      [
        slice("ns1", "svc1", 1, [{ addresses: ["10.0.1.1"] }], [{ name: "p80", port: 80 }]),
        slice("ns2", "svc2", 1, [{ addresses: ["10.0.2.1"] }], [{ name: "p8080", port: 8080 }]),
      ],
    )
    expect(canonicalOrder(sink.last)).toBe(steps.get(1))
    expect(sink.jumpRules[sink.jumpRules.length - 1]).toBeDefined()

    // Add a new service and its endpoints: only its SVC and SEP chains are written.
    proxier.onServiceAdd(svc("ns3", "svc3", "172.30.0.43", "p80", 80))
    const eps3 = slice("ns3", "svc3", 1, [{ addresses: ["10.0.3.1"] }], [{ name: "p80", port: 80 }])
    proxier.onEndpointSliceAdd(eps3)
    proxier.syncProxyRules()
    expect(canonicalOrder(sink.last)).toBe(steps.get(2))
    expect(proxier.lastResult?.fullSync).toBe(false)
    expect(sink.jumpRules[sink.jumpRules.length - 1]).toBeUndefined()

    // Delete a service: its chains are flushed and deleted, the others untouched.
    proxier.onServiceDelete(svc2)
    proxier.syncProxyRules()
    expect(canonicalOrder(sink.last)).toBe(steps.get(3))

    // A service without endpoints: only the REJECT rule.
    proxier.onServiceAdd(svc("ns4", "svc4", "172.30.0.44", "p80", 80))
    proxier.syncProxyRules()
    expect(canonicalOrder(sink.last)).toBe(steps.get(4))

    // Its endpoints arrive.
    proxier.onEndpointSliceAdd(slice("ns4", "svc4", 1, [{ addresses: ["10.0.4.1"] }], [{ name: "p80", port: 80 }]))
    proxier.syncProxyRules()
    expect(canonicalOrder(sink.last)).toBe(steps.get(5))

    // An endpoint of svc3 changes: new SEP chain, SVC rewritten, old SEP deleted.
    proxier.onEndpointSliceUpdate(eps3, slice("ns3", "svc3", 1, [{ addresses: ["10.0.3.2"] }], [{ name: "p80", port: 80 }]))
    proxier.syncProxyRules()
    const step6 = canonicalOrder(sink.last)
    expect(step6).toContain(":KUBE-SEP-DKCFIS26GWF2WLWC - [0:0]\n")
    expect(step6).toContain("-X KUBE-SEP-BSWRHOQ77KEXZLNL\n")
    expect(step6).toContain('-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.2:80" -j KUBE-SEP-DKCFIS26GWF2WLWC\n')
    expect(step6).not.toContain(":KUBE-SVC-4SW47YFZTEDKD3PK")

    // A second endpoint: the first rule now carries probability 1/2.
    proxier.onEndpointSliceUpdate(
      eps3,
      slice("ns3", "svc3", 1, [{ addresses: ["10.0.3.2"] }, { addresses: ["10.0.3.3"] }], [{ name: "p80", port: 80 }]),
    )
    proxier.syncProxyRules()
    expect(sink.last).toContain(
      '-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-DKCFIS26GWF2WLWC\n',
    )
    expect(sink.last).toContain(":KUBE-SEP-JVVZVJ7BSEPPRNBS - [0:0]\n")

    // No changes: only the always-written chains and KUBE-SERVICES.
    proxier.syncProxyRules()
    expect(sink.last).not.toMatch(/KUBE-(SVC|SEP)-\w+ - \[0:0\]/)

    // A failed restore makes the next sync a full one, rewriting every chain (and no -X of live chains).
    proxier.onServiceDelete(svc("ns4", "svc4", "172.30.0.44", "p80", 80))
    sink.failNext = true
    proxier.syncProxyRules()
    expect(proxier.lastResult?.success).toBe(false)
    proxier.syncProxyRules()
    expect(proxier.lastResult?.fullSync).toBe(true)
    expect(sink.last).toContain(":KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]\n")
    expect(sink.last).toContain("-X KUBE-SEP-AYCN5HPXMIRJNJXU\n")
    expect(sink.last).toContain("-X KUBE-SVC-4SW47YFZTEDKD3PK\n")
  })
})

// TestExternalTrafficPolicyLocal, the ~v1.27 revision whose expectation is a full dump (no nfacct then): a
// LoadBalancer with externalTrafficPolicy Local, an externalIP, a healthCheckNodePort and one local endpoint.
describe("TestExternalTrafficPolicyLocal (full dump)", () => {
  it("reproduces the upstream fixture byte for byte", () => {
    const { proxier, sink } = fakeProxier({ nfacct: false })
    startProxier(
      proxier,
      [
        service(
          "ns1",
          "svc1",
          {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            clusterIP: "172.30.0.41",
            externalIPs: ["192.168.99.11"],
            ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001, targetPort: 80 }],
            healthCheckNodePort: 30000,
          },
          ["1.2.3.4"],
        ),
      ],
      [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }, { addresses: ["10.180.2.1"], nodeName: "test-node" }], [{ name: "p80", port: 80 }])],
    )
    expect(canonicalOrder(sink.last)).toBe(golden("external-traffic-policy-local.golden"))
  })
})
