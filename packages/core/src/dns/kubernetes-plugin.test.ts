import { describe, expect, it } from "vitest"
import { ClusterZoneIndex } from "./cluster-zone-index"
import { CorednsServer } from "./coredns-server"
import { type DnsAnswer, type RrType, formatRr } from "./dns-message"
import { corednsPluginDefaults, kubeadmKubernetesStanza } from "./kubernetes-plugin"
import { slice, svc } from "./test-fixtures"
import { UpstreamZone, parseUpstreamRecords } from "./upstream-zone"

/**
 * The fixture of coredns `plugin/kubernetes/handler_test.go` (its fake API), rewritten as our own objects, with
 * the plugin defaults (TTL 5). CoreDNS' harness sorts records before comparing, so we compare sorted too.
 */
const handlerFixture = (): CorednsServer => {
  const index = new ClusterZoneIndex()
  const http = [{ name: "http", protocol: "TCP", port: 80 }]
  index.setService(svc("testns", "svc1", { type: "ClusterIP", clusterIP: "10.0.0.1", ports: http }))
  index.setService(svc("testns", "svcempty", { type: "ClusterIP", clusterIP: "10.0.0.1", ports: http }))
  index.setService(svc("testns", "svc6", { type: "ClusterIP", clusterIP: "1234:abcd::1", ports: http }))
  index.setService(svc("testns", "hdls1", { type: "ClusterIP", clusterIP: "None", ports: http }))
  index.setService(svc("testns", "hdlsprtls", { type: "ClusterIP", clusterIP: "None" }))
  index.setService(svc("testns", "external", { type: "ExternalName", externalName: "ext.interwebs.test", ports: http }))
  index.setService(svc("testns", "external-to-service", { type: "ExternalName", externalName: "svc1.testns.svc.cluster.local.", ports: http }))
  index.setService(svc("testns", "svc-dual-stack", { type: "ClusterIP", clusterIP: "10.0.0.3", clusterIPs: ["10.0.0.3", "10::3"], ports: http }))
  index.setService(svc("kube-system", "kubedns", { type: "ClusterIP", clusterIP: "10.0.0.10", ports: [{ name: "dns", protocol: "UDP", port: 53 }] }))
  const eport = [{ name: "http", protocol: "TCP", port: 80 }]
  index.setEndpointSlice(slice("testns", "svc1", "svc1-slice1", [{ addresses: ["172.0.0.1"], hostname: "ep1a", conditions: { ready: true } }], eport))
  index.setEndpointSlice(
    slice(
      "testns",
      "hdls1",
      "hdls1-slice1",
      [
        { addresses: ["172.0.0.2"] },
        { addresses: ["172.0.0.3"] },
        { addresses: ["172.0.0.4"], hostname: "dup-name" },
        { addresses: ["172.0.0.5"], hostname: "dup-name" },
      ],
      eport,
    ),
  )
  index.setEndpointSlice(slice("testns", "hdls1", "hdls1-slice2", [{ addresses: ["5678:abcd::1"] }, { addresses: ["5678:abcd::2"] }], eport))
  index.setEndpointSlice(slice("testns", "hdlsprtls", "hdlsprtls-slice1", [{ addresses: ["172.0.0.20"] }]))
  index.setEndpointSlice(slice("kube-system", "kubedns", "kubedns-slice1", [{ addresses: ["172.0.0.100"] }], [{ name: "dns", protocol: "UDP", port: 53 }]))
  const upstream = new UpstreamZone(parseUpstreamRecords("ext.interwebs.test 5 A 1.2.3.4"))
  return new CorednsServer(index, corednsPluginDefaults(), upstream)
}

const render = (a: DnsAnswer) => ({
  rcode: a.rcode,
  answer: a.answer.map(formatRr).sort(),
  authority: a.authority.map((r) => `${r.name} ${r.type}`),
  additional: a.additional.map(formatRr).sort(),
})

const ask = (server: CorednsServer, name: string, qtype: RrType) => render(server.answer({ name, qtype }))

const SOA = ["cluster.local. SOA"]

describe("CoreDNS kubernetes plugin: handler_test.go cases", () => {
  const s = handlerFixture()
  const cases: Array<[string, RrType, string, string[], string[]?, string[]?]> = [
    ["svc1.testns.svc.cluster.local.", "A", "NOERROR", ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]],
    ["svcempty.testns.svc.cluster.local.", "A", "NOERROR", ["svcempty.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]],
    ["svc1.testns.svc.cluster.local.", "SRV", "NOERROR", ["svc1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc1.testns.svc.cluster.local."], [], ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]],
    ["_http._tcp.svc1.testns.svc.cluster.local.", "SRV", "NOERROR", ["_http._tcp.svc1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc1.testns.svc.cluster.local."], [], ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]],
    ["svc6.testns.svc.cluster.local.", "SRV", "NOERROR", ["svc6.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc6.testns.svc.cluster.local."], [], ["svc6.testns.svc.cluster.local.\t5\tIN\tAAAA\t1234:abcd::1"]],
    ["hdls1.testns.svc.cluster.local.", "A", "NOERROR", ["172.0.0.2", "172.0.0.3", "172.0.0.4", "172.0.0.5"].map((ip) => `hdls1.testns.svc.cluster.local.\t5\tIN\tA\t${ip}`)],
    ["hdls1.testns.svc.cluster.local.", "AAAA", "NOERROR", ["5678:abcd::1", "5678:abcd::2"].map((ip) => `hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t${ip}`)],
    ["hdlsprtls.testns.svc.cluster.local.", "A", "NOERROR", ["hdlsprtls.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.20"]],
    ["svc1.testns.svc.cluster.local.", "AAAA", "NOERROR", [], SOA],
    ["svc0.testns.svc.cluster.local.", "A", "NXDOMAIN", [], SOA],
    ["svc0.testns.svc.cluster.local.", "AAAA", "NXDOMAIN", [], SOA],
    ["svc0.svc-nons.svc.cluster.local.", "A", "NXDOMAIN", [], SOA],
    ["dns-version.cluster.local.", "TXT", "NOERROR", ['dns-version.cluster.local.\t28800\tIN\tTXT\t"1.1.0"']],
    ["svc1.testns.svc.cluster.local.", "TXT", "NOERROR", [], SOA],
    ["bogusendpoint.hdls1.testns.svc.cluster.local.", "A", "NXDOMAIN", [], SOA],
    ["bogusendpoint.svc0.testns.svc.cluster.local.", "A", "NXDOMAIN", [], SOA],
    ["svc6.testns.svc.cluster.local.", "AAAA", "NOERROR", ["svc6.testns.svc.cluster.local.\t5\tIN\tAAAA\t1234:abcd::1"]],
    ["svc.cluster.local.", "A", "NOERROR", [], SOA],
    ["pod.cluster.local.", "A", "NOERROR", [], SOA],
    ["testns.svc.cluster.local.", "A", "NOERROR", [], SOA],
    ["foo.cluster.local.", "NS", "NXDOMAIN", [], SOA],
    ["foo.svc.cluster.local.", "NS", "NXDOMAIN", [], SOA],
    ["svc-dual-stack.testns.svc.cluster.local.", "A", "NOERROR", ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.3"]],
    ["svc-dual-stack.testns.svc.cluster.local.", "AAAA", "NOERROR", ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tAAAA\t10::3"]],
    [
      "svc-dual-stack.testns.svc.cluster.local.",
      "SRV",
      "NOERROR",
      ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tSRV\t0 50 80 svc-dual-stack.testns.svc.cluster.local."],
      [],
      ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.3", "svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tAAAA\t10::3"],
    ],
    ["svc1.testns.svc.cluster.local.", "SOA", "NOERROR", [], SOA],
    ["endpoint.external.testns.svc.cluster.local.", "CNAME", "NXDOMAIN", [], SOA],
    // kubernetes.go findServices: no `_port._proto` names under an ExternalName Service (NXDOMAIN, not NODATA).
    ["_http._tcp.external.testns.svc.cluster.local.", "SRV", "NXDOMAIN", [], SOA],
    ["external.testns.svc.cluster.local.", "SRV", "NOERROR", [], SOA],
    // reverse.go serviceRecordForIP: a headless endpoint's PTR names its system-assigned hostname.
    ["2.0.0.172.in-addr.arpa.", "PTR", "NOERROR", ["2.0.0.172.in-addr.arpa.\t5\tIN\tPTR\t172-0-0-2.hdls1.testns.svc.cluster.local."]],
    ["4.0.0.172.in-addr.arpa.", "PTR", "NOERROR", ["4.0.0.172.in-addr.arpa.\t5\tIN\tPTR\tdup-name.hdls1.testns.svc.cluster.local."]],
    [
      "_http._tcp.hdls1.testns.svc.cluster.local.",
      "SRV",
      "NOERROR",
      ["172-0-0-2", "172-0-0-3", "5678-abcd--1", "5678-abcd--2", "dup-name"].map((h) => `_http._tcp.hdls1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 16 80 ${h}.hdls1.testns.svc.cluster.local.`),
      [],
      [
        "172-0-0-2.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.2",
        "172-0-0-3.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.3",
        "5678-abcd--1.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::1",
        "5678-abcd--2.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::2",
        "dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.4",
        "dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.5",
      ],
    ],
    ["5678-abcd--2.hdls1.testns.svc.cluster.local", "AAAA", "NOERROR", ["5678-abcd--2.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::2"]],
    ["172-0-0-20.hdlsprtls.testns.svc.cluster.local.", "A", "NOERROR", ["172-0-0-20.hdlsprtls.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.20"]],
    ["172-0-0-2.hdls1.testns.svc.cluster.local.", "A", "NOERROR", ["172-0-0-2.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.2"]],
    ["dup-name.hdls1.testns.svc.cluster.local.", "A", "NOERROR", ["172.0.0.4", "172.0.0.5"].map((ip) => `dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t${ip}`)],
    ["external.testns.svc.cluster.local.", "CNAME", "NOERROR", ["external.testns.svc.cluster.local.\t5\tIN\tCNAME\text.interwebs.test."]],
    ["external.testns.svc.cluster.local.", "A", "NOERROR", ["external.testns.svc.cluster.local.\t5\tIN\tCNAME\text.interwebs.test.", "ext.interwebs.test.\t5\tIN\tA\t1.2.3.4"]],
    ["external-to-service.testns.svc.cluster.local", "A", "NOERROR", ["external-to-service.testns.svc.cluster.local.\t5\tIN\tCNAME\tsvc1.testns.svc.cluster.local.", "svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]],
    ["ep1a.svc1.testns.svc.cluster.local.", "A", "NOERROR", ["ep1a.svc1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.1"]],
    ["1.0.0.10.in-addr.arpa.", "PTR", "NOERROR", ["1.0.0.10.in-addr.arpa.\t5\tIN\tPTR\tsvc1.testns.svc.cluster.local."]],
    ["1.0.0.172.in-addr.arpa.", "PTR", "NOERROR", ["1.0.0.172.in-addr.arpa.\t5\tIN\tPTR\tep1a.svc1.testns.svc.cluster.local."]],
    ["99.0.0.10.in-addr.arpa.", "PTR", "NXDOMAIN", [], ["in-addr.arpa. SOA"]],
  ]
  for (const [name, qtype, rcode, answer, authority = [], additional = []] of cases) {
    it(`${name} ${qtype} → ${rcode}`, () => {
      const got = ask(s, name, qtype)
      expect(got.rcode).toBe(rcode)
      expect(got.answer).toEqual([...answer].sort())
      expect(got.authority).toEqual(rcode === "NOERROR" && answer.length > 0 ? [] : authority.length > 0 ? authority : SOA)
      expect(got.additional).toEqual([...additional].sort())
    })
  }

  it("orders the CNAME before its target (test.CNAMEOrder)", () => {
    const a = s.answer({ name: "external.testns.svc.cluster.local.", qtype: "A" })
    expect(a.answer.map((r) => r.type)).toEqual(["CNAME", "A"])
  })

  it("negative answers carry the plugin SOA: ns.dns / hostmaster, 7200 1800 86400 ttl", () => {
    const a = s.answer({ name: "svc0.testns.svc.cluster.local.", qtype: "A" })
    expect(a.authority.map(formatRr)).toEqual(["cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 5"])
    expect(a.authoritative).toBe(true)
  })

  it("keeps the query's case (handler_case_test.go)", () => {
    expect(ask(s, "SvC1.TeStNs.SvC.cLuStEr.LoCaL.", "A").answer).toEqual(["SvC1.TeStNs.SvC.cLuStEr.LoCaL.\t5\tIN\tA\t10.0.0.1"])
    expect(ask(s, "_HtTp._TcP.svc1.testns.svc.cLuStEr.LoCaL.", "SRV").answer).toEqual(["_HtTp._TcP.svc1.testns.svc.cLuStEr.LoCaL.\t5\tIN\tSRV\t0 100 80 svc1.testns.svc.cLuStEr.LoCaL."])
  })

  it("answers SERVFAIL instead of NXDOMAIN until synced (TestNotSyncedServeDNS)", () => {
    const f = handlerFixture()
    f.plugin.setSynced(false)
    expect(ask(f, "svc0.testns.svc.cluster.local.", "A").rcode).toBe("SERVFAIL")
  })
})

describe("CoreDNS kubernetes plugin: options", () => {
  it("ignore empty_service makes an endpoint-less ClusterIP Service NXDOMAIN (handler_ignore_emptyservice_test.go)", () => {
    const index = new ClusterZoneIndex()
    index.setService(svc("testns", "svcempty", { type: "ClusterIP", clusterIP: "10.0.0.1", ports: [{ name: "http", port: 80 }] }))
    const server = new CorednsServer(index, { ...corednsPluginDefaults(), ignoreEmptyService: true })
    expect(ask(server, "svcempty.testns.svc.cluster.local.", "A").rcode).toBe("NXDOMAIN")
  })

  it("pods insecure answers dashed pod names from the name alone (handler_pod_insecure_test.go)", () => {
    const index = new ClusterZoneIndex()
    index.setNamespace("podns")
    const server = new CorednsServer(index, { ...corednsPluginDefaults(), pods: "insecure" })
    expect(ask(server, "10-240-0-1.podns.pod.cluster.local.", "A").answer).toEqual(["10-240-0-1.podns.pod.cluster.local.\t5\tIN\tA\t10.240.0.1"])
    expect(ask(server, "blah.podns.pod.cluster.local.", "A").rcode).toBe("NXDOMAIN")
    const nodata = ask(server, "podns.pod.cluster.local.", "A")
    expect([nodata.rcode, nodata.answer]).toEqual(["NOERROR", []])
  })

  it("pods disabled (plugin default) is NXDOMAIN; pods verified needs the pod", () => {
    const index = new ClusterZoneIndex()
    index.setPod({ metadata: { name: "p", namespace: "podns" }, spec: {}, status: { podIP: "10.240.0.1" } })
    expect(ask(new CorednsServer(index, corednsPluginDefaults()), "10-240-0-1.podns.pod.cluster.local.", "A").rcode).toBe("NXDOMAIN")
    const verified = new CorednsServer(index, { ...corednsPluginDefaults(), pods: "verified" })
    expect(ask(verified, "10-240-0-1.podns.pod.cluster.local.", "A").rcode).toBe("NOERROR")
    expect(ask(verified, "10-240-0-2.podns.pod.cluster.local.", "A").rcode).toBe("NXDOMAIN")
  })

  it("kubeadm's stanza: TTL 30, pods insecure, unknown reverse names fall through to forward", () => {
    const index = new ClusterZoneIndex()
    index.setService(svc("default", "web-service", { type: "ClusterIP", clusterIP: "10.108.4.193", ports: [{ port: 80 }] }))
    const upstream = new UpstreamZone(parseUpstreamRecords("in-addr.arpa SOA a.root. b.root. 1 2 3 4 5"))
    const server = new CorednsServer(index, kubeadmKubernetesStanza(), upstream)
    expect(ask(server, "web-service.default.svc.cluster.local", "A").answer).toEqual(["web-service.default.svc.cluster.local.\t30\tIN\tA\t10.108.4.193"])
    const fell = server.answer({ name: "9.9.9.9.in-addr.arpa.", qtype: "PTR" })
    expect([fell.rcode, fell.authoritative]).toEqual(["NXDOMAIN", false])
  })

  it("follows the API: deleting the Service or its slice changes the answer", () => {
    const index = new ClusterZoneIndex()
    const server = new CorednsServer(index, corednsPluginDefaults())
    index.setService(svc("ns", "h", { type: "ClusterIP", clusterIP: "None" }))
    expect(ask(server, "h.ns.svc.cluster.local", "A").rcode).toBe("NXDOMAIN")
    index.setEndpointSlice(slice("ns", "h", "h-1", [{ addresses: ["10.1.0.5"], conditions: { ready: false } }, { addresses: ["10.1.0.6"] }]))
    expect(ask(server, "h.ns.svc.cluster.local", "A").answer).toEqual(["h.ns.svc.cluster.local.\t5\tIN\tA\t10.1.0.6"])
    index.deleteEndpointSlice("ns", "h-1", 12)
    const gone = server.answer({ name: "h.ns.svc.cluster.local", qtype: "A" })
    expect(gone.rcode).toBe("NXDOMAIN")
    expect(gone.authority[0]?.data).toContain(" 12 7200 1800 86400 5")
  })
})

/**
 * SOA queries (issue 16 item 2). coredns v1.11.1 plugin/kubernetes/handler.go `ServeDNS`: `case dns.TypeSOA: if
 * qname == zone { records, err = plugin.SOA(…) }` (since coredns/coredns#4592, 1.8.4) — the apex answers its SOA;
 * below the apex nothing is looked up, err stays nil and `len(records) == 0` gives BackendError(RcodeSuccess):
 * NOERROR, empty answer, the SOA in authority, whether or not the name exists (handler_test.go pins the existing
 * `svc1.testns.svc.cluster.local. SOA` case). Being no name error, it neither falls through nor turns SERVFAIL.
 */
describe("CoreDNS kubernetes plugin: SOA", () => {
  const s = handlerFixture()
  const soaRr = "cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 5"

  it("the apex answers its SOA in the answer section, in the query's case", () => {
    const a = s.answer({ name: "cluster.local.", qtype: "SOA" })
    expect([a.rcode, a.authoritative, a.answer.map(formatRr), a.authority]).toEqual(["NOERROR", true, [soaRr], []])
    expect(s.answer({ name: "ClUsTeR.lOcAl.", qtype: "SOA" }).answer.map((r) => r.name)).toEqual(["ClUsTeR.lOcAl."])
  })

  for (const name of [
    "svc1.testns.svc.cluster.local.",
    "ep1a.svc1.testns.svc.cluster.local.",
    "testns.svc.cluster.local.",
    "svc.cluster.local.",
    "svc0.testns.svc.cluster.local.",
    "svc1.nonexistent-ns.svc.cluster.local.",
    "a.b.c.d.e.cluster.local.",
  ]) {
    it(`${name} SOA: NOERROR/NODATA with the zone's SOA in authority`, () => {
      const a = s.answer({ name, qtype: "SOA" })
      expect([a.rcode, a.authoritative, a.answer, a.authority.map(formatRr)]).toEqual(["NOERROR", true, [], [soaRr]])
    })
  }

  it("a reverse name below in-addr.arpa. is NODATA from the plugin, not forwarded despite `fallthrough in-addr.arpa`", () => {
    const server = new CorednsServer(new ClusterZoneIndex(), kubeadmKubernetesStanza(), new UpstreamZone(parseUpstreamRecords("in-addr.arpa SOA a.root. b.root. 1 2 3 4 5")))
    const a = server.answer({ name: "9.9.9.9.in-addr.arpa.", qtype: "SOA" })
    expect([a.rcode, a.authoritative, a.authority.map((r) => `${r.name} ${r.type}`)]).toEqual(["NOERROR", true, ["in-addr.arpa. SOA"]])
  })

  it("before the informers sync it is still NODATA (only name errors become SERVFAIL)", () => {
    const f = handlerFixture()
    f.plugin.setSynced(false)
    expect(f.answer({ name: "svc0.testns.svc.cluster.local.", qtype: "SOA" }).rcode).toBe("NOERROR")
  })
})
