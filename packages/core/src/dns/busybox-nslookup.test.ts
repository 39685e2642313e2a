import { describe, expect, it } from "vitest"
import { formatNslookup, nslookupPlan, nslookupSync } from "./busybox-nslookup"
import { ClusterZoneIndex } from "./cluster-zone-index"
import { CorednsServer } from "./coredns-server"
import { kubeadmKubernetesStanza } from "./kubernetes-plugin"
import { renderResolvConf } from "./resolv-conf"
import { resolvConfFor } from "./kubelet-resolv-conf"
import { svc } from "./test-fixtures"
import { UpstreamZone, parseUpstreamRecords } from "./upstream-zone"

const conf = resolvConfFor({ metadata: { name: "busybox", namespace: "default" }, spec: {} }, { clusterDomain: "cluster.local", clusterDns: ["10.96.0.10"], nodeResolvConf: undefined }).conf

const server = (): CorednsServer => {
  const index = new ClusterZoneIndex()
  index.setNamespace("default")
  index.setService(svc("default", "web-service", { type: "ClusterIP", clusterIP: "10.108.4.193", ports: [{ port: 80 }] }))
  index.setService(svc("default", "external-db", { type: "ExternalName", externalName: "db.example.com" }))
  return new CorednsServer(index, kubeadmKubernetesStanza(), new UpstreamZone(parseUpstreamRecords("db.example.com A 93.184.216.34")))
}

describe("busybox nslookup", () => {
  it("the pod's resolv.conf as containerd writes it", () => {
    expect(renderResolvConf(conf)).toBe("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
  })

  it("a dotless name goes out under every search domain, A then AAAA, never bare", () => {
    expect(nslookupPlan("web-service", conf).queries.map((q) => `${q.name} ${q.qtype}`)).toEqual([
      "web-service.default.svc.cluster.local A",
      "web-service.svc.cluster.local A",
      "web-service.cluster.local A",
      "web-service.default.svc.cluster.local AAAA",
      "web-service.svc.cluster.local AAAA",
      "web-service.cluster.local AAAA",
    ])
    expect(nslookupPlan("web-service.default", conf).queries.map((q) => q.name)).toEqual(["web-service.default", "web-service.default"])
    expect(nslookupPlan("10.108.4.193", conf).queries).toEqual([{ name: "193.4.108.10.in-addr.arpa", qtype: "PTR" }])
  })

  it("prints each reply as busybox does", () => {
    const s = server()
    const out = nslookupSync("web-service", conf, (q) => s.answer(q))
    expect(out.text).toBe(
      [
        "Server:\t\t10.96.0.10",
        "Address:\t10.96.0.10:53",
        "",
        "Name:\tweb-service.default.svc.cluster.local",
        "Address: 10.108.4.193",
        "",
        "** server can't find web-service.svc.cluster.local: NXDOMAIN",
        "",
        "** server can't find web-service.cluster.local: NXDOMAIN",
        "",
        "*** Can't find web-service.default.svc.cluster.local: No answer",
        "",
        "** server can't find web-service.svc.cluster.local: NXDOMAIN",
        "",
        "** server can't find web-service.cluster.local: NXDOMAIN",
        "",
        "",
      ].join("\n"),
    )
  })

  it("an ExternalName shows its canonical name and the upstream address", () => {
    const s = server()
    const text = nslookupSync("external-db", conf, (q) => s.answer(q)).text
    expect(text).toContain("external-db.default.svc.cluster.local\tcanonical name = db.example.com\nName:\tdb.example.com\nAddress: 93.184.216.34\n")
  })

  it("no reply at all is the timeout line; an unanswered query is listed at the end", () => {
    expect(formatNslookup("10.96.0.10", [{ question: { name: "x", qtype: "A" }, answer: undefined }])).toBe(";; connection timed out; no servers could be reached\n\n")
    const s = server()
    const text = nslookupSync("web-service.default.svc.cluster.local", conf, (q) => (q.qtype === "A" ? s.answer(q) : undefined)).text
    expect(text.endsWith("*** Can't find web-service.default.svc.cluster.local: No answer\n\n")).toBe(true)
  })
})
