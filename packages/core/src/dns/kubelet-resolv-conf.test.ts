import { describe, expect, it } from "vitest"
import type { PodView } from "./cluster-view"
import { type KubeletDnsSettings, resolvConfFor } from "./kubelet-resolv-conf"
import { parseResolvConf, renderResolvConf, resolverOptions } from "./resolv-conf"

const node = parseResolvConf("# node\nnameserver 192.168.0.2\nnameserver 192.168.0.3\nsearch corp.example. lab.example\noptions edns0 timeout:2\n")
const kubelet: KubeletDnsSettings = { clusterDomain: "cluster.local", clusterDns: ["10.96.0.10"], nodeResolvConf: node }
const pod = (spec: PodView["spec"], namespace = "default"): PodView => ({ metadata: { name: "p", namespace }, spec })

describe("kubelet GetPodDNS (pkg/kubelet/network/dns/dns.go)", () => {
  it("ClusterFirst: cluster DNS only, cluster search then the node's, ndots:5 replacing the node options", () => {
    const r = resolvConfFor(pod({}, "team-a"), kubelet)
    expect(renderResolvConf(r.conf)).toBe("search team-a.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n")
    expect(r.events).toEqual([])
  })
  it("Default and ClusterFirst with hostNetwork use the node's file; ClusterFirstWithHostNet stays on cluster DNS", () => {
    expect(resolvConfFor(pod({ dnsPolicy: "Default" }), kubelet).conf).toEqual(node)
    expect(resolvConfFor(pod({ dnsPolicy: "ClusterFirst", hostNetwork: true }), kubelet).conf).toEqual(node)
    expect(resolvConfFor(pod({ dnsPolicy: "ClusterFirstWithHostNet", hostNetwork: true }), kubelet).conf.nameservers).toEqual(["10.96.0.10"])
  })
  it("None takes everything from dnsConfig (e2e 'should support configurable pod DNS nameservers')", () => {
    const r = resolvConfFor(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"], searches: ["resolv.conf.local"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }), kubelet)
    expect(renderResolvConf(r.conf)).toBe("search resolv.conf.local\nnameserver 1.1.1.1\noptions ndots:2 edns0\n")
  })
  it("dnsConfig merges: duplicates dropped, options overridden by name", () => {
    const r = resolvConfFor(pod({ dnsConfig: { nameservers: ["10.96.0.10", "8.8.8.8"], searches: ["svc.cluster.local", "x.example"], options: [{ name: "ndots", value: "2" }] } }), kubelet)
    expect(r.conf.nameservers).toEqual(["10.96.0.10", "8.8.8.8"])
    expect(r.conf.searches).toEqual(["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example", "x.example"])
    expect(r.conf.options).toEqual(["ndots:2"])
  })
  it("no cluster DNS: ClusterFirst falls back to Default with a MissingClusterDNS event", () => {
    const r = resolvConfFor(pod({}), { ...kubelet, clusterDns: [] })
    expect(r.conf).toEqual(node)
    expect(r.events[0]?.reason).toBe("MissingClusterDNS")
  })
  it("--resolv-conf='' gives localhost and search '.' for Default", () => {
    expect(resolvConfFor(pod({ dnsPolicy: "Default" }), { ...kubelet, nodeResolvConf: undefined }).conf).toEqual({ nameservers: ["127.0.0.1"], searches: ["."], options: [] })
  })
  it("limits: 3 nameservers, 32 search paths, 2048 characters, each a DNSConfigForming event", () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`)
    const r = resolvConfFor(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"], searches: many } }), kubelet)
    expect(r.conf.nameservers.length).toBe(3)
    expect(r.conf.searches.length).toBe(32)
    expect(r.events.map((e) => e.reason)).toEqual(["DNSConfigForming", "DNSConfigForming"])
    const long = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(248)}`)
    const l = resolvConfFor(pod({ dnsPolicy: "None", dnsConfig: { searches: [...long, "y".repeat(254)] } }), kubelet)
    expect(l.conf.searches.join(" ").length).toBeLessThanOrEqual(2048)
    expect(l.conf.searches.length).toBe(8)
  })
  it("rejects an unknown dnsPolicy with a clear message", () => {
    expect(() => resolvConfFor(pod({ dnsPolicy: "Cluster" }), kubelet)).toThrow(/spec.dnsPolicy "Cluster"/)
  })
})

describe("resolv.conf reading", () => {
  it("parses like the kubelet and reports a bad nameserver line", () => {
    expect(node).toEqual({ nameservers: ["192.168.0.2", "192.168.0.3"], searches: ["corp.example", "lab.example"], options: ["edns0", "timeout:2"] })
    expect(() => parseResolvConf("nameserver\n", "node.conf")).toThrow("node.conf:1: nameserver line has no address")
  })
  it("libc defaults and caps", () => {
    expect(resolverOptions({ nameservers: [], searches: [], options: [] }, "musl")).toMatchObject({ ndots: 1, timeout: 5, attempts: 2 })
    expect(resolverOptions({ nameservers: [], searches: [], options: ["ndots:20", "timeout:99", "attempts:9"] }, "glibc")).toMatchObject({ ndots: 15, timeout: 30, attempts: 5 })
    expect(resolverOptions({ nameservers: [], searches: [], options: ["ndots:20", "timeout:99", "attempts:99"] }, "musl")).toMatchObject({ ndots: 15, timeout: 60, attempts: 10 })
  })
})

/**
 * `search .` on the node (issue 16 item 5). kubernetes/kubernetes#109441 (in 1.25; "Kubernetes now correctly handles
 * "search ." in the host's resolv.conf file by preserving the "." entry in the resolv.conf that the kubelet writes
 * to pods"): dns.go `parseResolvConf` keeps a lone "." verbatim and still trims one trailing dot from other entries;
 * before it, "." was trimmed to "" and containerd wrote a bare `search ` line. What each libc then does with ".":
 * glibc searches it as the root (the name as it is, once); musl rejects `name..` and ends the lookup (EAI_NONAME).
 */
describe("kubelet: a node resolv.conf with `search .`", () => {
  const dotNode = parseResolvConf("nameserver 192.168.0.2\nsearch .\n")
  const settings: KubeletDnsSettings = { clusterDomain: "cluster.local", clusterDns: ["10.96.0.10"], nodeResolvConf: dotNode }

  it("parseResolvConf keeps the lone dot, and trims one trailing dot elsewhere", () => {
    expect(dotNode.searches).toEqual(["."])
    expect(parseResolvConf("search corp.example. . lab.example\n").searches).toEqual(["corp.example", ".", "lab.example"])
    expect(parseResolvConf("search . .\n").searches).toEqual([".", "."])
  })

  it("ClusterFirst: the cluster domains, then `.`; never an empty search domain", () => {
    const r = resolvConfFor(pod({}), settings)
    expect(r.conf.searches).toEqual(["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "."])
    expect(r.conf.searches).not.toContain("")
    expect(renderResolvConf(r.conf)).toBe("search default.svc.cluster.local svc.cluster.local cluster.local .\nnameserver 10.96.0.10\noptions ndots:5\n")
  })

  it("Default: the node's `search .` as it is", () => {
    expect(renderResolvConf(resolvConfFor(pod({ dnsPolicy: "Default" }), settings).conf)).toBe("search .\nnameserver 192.168.0.2\n")
  })
})
