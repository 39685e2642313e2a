import { describe, expect, it } from "vitest"
import { formatIpv4 } from "../../../net/index"
import { Cluster } from "../cluster"
import { S, wgetLoopPod } from "./e2e-support"

/**
 * CoreDNS' forward path over the data plane (issue 14): client pod → kube-dns ClusterIP → a CoreDNS pod →
 * `forward . /etc/resolv.conf` to the upstream resolver on the nodes' network → back. The upstream host has no
 * route to the pod network; the query comes back only because kindnetd masquerades it to the node's address.
 */
describe("CoreDNS forwards external names to the upstream resolver over packets", () => {
  const c = Cluster.create({ seed: 3 })
  const seenByUpstream: string[] = []
  c.net.observer = {
    onDeliver: (h, p) => {
      if (h.name === "upstream-dns") seenByUpstream.push(formatIpv4(p.src))
    },
  }
  c.apply(wgetLoopPod("client", "http://db.example.com./", "1"))
  c.runUntil(20 * S)
  // Lookups from 5 s on: before that the CoreDNS pods are still starting (kube-dns has no endpoints yet).
  const dns = c.records.ofKind("dns").filter((d) => d.client === "client" && d.t >= 5 * S)

  it("every lookup of the FQDN is answered: A with the upstream's address, AAAA NODATA", () => {
    expect(dns.length).toBeGreaterThan(0)
    for (const d of dns) {
      expect(d.name).toBe("db.example.com.")
      expect(d.rcode).toBe("NOERROR")
      expect(d.answers).toBe(d.qtype === "A" ? 1 : 0)
    }
    expect(c.records.ofKind("request").filter((r) => r.client === "client" && r.t >= 5 * S).every((r) => r.cause !== "dns")).toBe(true)
  })

  it("the upstream sees the CoreDNS pods' queries from their nodes' addresses (KIND-MASQ-AGENT), never a pod IP", () => {
    const nodeIps = new Set([...c.nodes.values()].map((n) => n.ip))
    expect(seenByUpstream.length).toBeGreaterThan(0)
    for (const src of seenByUpstream) expect(nodeIps.has(src)).toBe(true)
  })

  it("every node carries kindnetd's masquerade rules as iptables-save prints them, after kube-proxy's jump", () => {
    for (const n of c.nodes.keys()) {
      const save = c.iptablesSave(n)
      expect(save).toContain(":KIND-MASQ-AGENT - [0:0]")
      const post = save.split("\n").filter((l) => l.startsWith("-A POSTROUTING "))
      expect(post).toEqual([
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment "kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain" -j KIND-MASQ-AGENT',
      ])
      expect(save).toContain('-A KIND-MASQ-AGENT -d 10.244.0.0/16 -m comment --comment "kind-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN\n')
      expect(save).toContain('-A KIND-MASQ-AGENT -m comment --comment "kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE\n')
    }
  })
})
