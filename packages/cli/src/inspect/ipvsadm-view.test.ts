import { net } from "@kubesim/core"
import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { type IpvsadmFlags, ipvsadmText, nodeIpvsTable } from "./ipvsadm-view"

const ip = net.parseIpv4
const S = 1_000_000_000
const LN: IpvsadmFlags = { list: true, numeric: true, connection: false, timeout: false, stats: false, rate: false, thresholds: false, persistentConn: false, tcpService: Option.none(), udpService: Option.none() }

/** kube-proxy's table on a worker: the API server, kube-dns (UDP and TCP), a ClientIP-affinity web Service and its NodePort. */
const workerTable = (): net.IpvsTable => {
  const t = new net.IpvsTable()
  const svc = (protocol: "TCP" | "UDP", addr: string, port: number, persistence: number | null = null) =>
    t.addService({ protocol, address: ip(addr), port, scheduler: "rr", persistence, netmask: 0xffffffff })
  t.addDest(svc("TCP", "10.96.0.1", 443), ip("172.18.0.2"), 6443, 1)
  for (const p of ["UDP", "TCP"] as const) {
    const dns = svc(p, "10.96.0.10", 53)
    t.addDest(dns, ip("10.244.0.2"), 53, 1)
    t.addDest(dns, ip("10.244.0.3"), 53, 1)
  }
  for (const s of [svc("TCP", "10.96.100.7", 80, 10800), svc("TCP", "172.18.0.3", 30080, 10800)]) {
    t.addDest(s, ip("10.244.1.4"), 80, 1)
    t.addDest(s, ip("10.244.2.5"), 80, 0)
  }
  // busybox on 10.244.1.9 talks to the web Service: established, then a second request half-open (SYN_RECV, which
  // ActiveConn counts: tcp_state_active_table).
  const c = ip("10.244.1.9")
  t.inbound(6, c, 41000, ip("10.96.100.7"), 80, net.TCP_SYN, 0)
  t.outbound(6, ip("10.244.1.4"), 80, c, 41000, net.TCP_SYN | net.TCP_ACK, 1_000_000)
  t.inbound(6, c, 41000, ip("10.96.100.7"), 80, net.TCP_ACK, 2_000_000)
  t.inbound(6, c, 41001, ip("10.96.100.7"), 80, net.TCP_SYN, 5 * S)
  return t
}

describe("kubesim ipvsadm over a node's IPVS table", () => {
  it("-Ln: ipvsadm 1.31's listing, the node's NodePort first (libipvs' wrapping sort)", () => {
    expect(ipvsadmText(LN, workerTable(), 10 * S)).toBe(
      [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
        "TCP  172.18.0.3:30080 rr persistent 10800",
        "  -> 10.244.1.4:80                Masq    1      0          0         ",
        "  -> 10.244.2.5:80                Masq    0      0          0         ",
        "TCP  10.96.0.1:443 rr",
        "  -> 172.18.0.2:6443              Masq    1      0          0         ",
        "TCP  10.96.0.10:53 rr",
        "  -> 10.244.0.2:53                Masq    1      0          0         ",
        "  -> 10.244.0.3:53                Masq    1      0          0         ",
        "TCP  10.96.100.7:80 rr persistent 10800",
        "  -> 10.244.1.4:80                Masq    1      2          0         ",
        "  -> 10.244.2.5:80                Masq    0      0          0         ",
        "UDP  10.96.0.10:53 rr",
        "  -> 10.244.0.2:53                Masq    1      0          0         ",
        "  -> 10.244.0.3:53                Masq    1      0          0         ",
        "",
      ].join("\n"),
    )
  })

  it("-Lnc: the connections and the ClientIP template; --persistent-conn beside -Ln and -c; --thresholds wins over it", () => {
    const t = workerTable()
    expect(ipvsadmText({ ...LN, connection: true }, t, 10 * S)).toBe(
      [
        "IPVS connection entries",
        "pro expire state       source             virtual            destination",
        "TCP 14:50  ESTABLISHED 10.244.1.9:41000   10.96.100.7:80     10.244.1.4:80",
        "TCP 00:55  SYN_RECV    10.244.1.9:41001   10.96.100.7:80     10.244.1.4:80",
        "TCP 179:55 NONE        10.244.1.9:0       10.96.100.7:80     10.244.1.4:80",
        "",
      ].join("\n"),
    )
    expect(ipvsadmText({ ...LN, connection: true, persistentConn: true }, t, 10 * S).split("\n")[1]).toContain("pe name          pe_data")
    const pc = ipvsadmText({ ...LN, persistentConn: true }, t, 10 * S).split("\n")
    expect(pc[1]).toBe("Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ")
    expect(pc).toContain("  -> 10.244.1.4:80                1         1           2          0         ")
    expect(ipvsadmText({ ...LN, persistentConn: true, thresholds: true }, t, 10 * S).split("\n")[1]).toBe("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ")
  })

  it("--timeout prints the table's timeouts whatever else is asked", () => {
    const t = workerTable()
    t.timeouts = { tcp: 3600 * S, tcpFin: 120 * S, udp: 300 * S }
    expect(ipvsadmText({ ...LN, timeout: true, thresholds: true }, t, 0)).toBe("Timeout (tcp tcpfin udp): 3600 120 300\n")
  })

  it("-t/-u ADDRESS:PORT: the title and that one service (list_service), without the version line", () => {
    const t = workerTable()
    expect(ipvsadmText({ ...LN, udpService: Option.some("10.96.0.10:53") }, t, 10 * S)).toBe(
      [
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
        "UDP  10.96.0.10:53 rr",
        "  -> 10.244.0.2:53                Masq    1      0          0         ",
        "  -> 10.244.0.3:53                Masq    1      0          0         ",
        "",
      ].join("\n"),
    )
    expect(ipvsadmText({ ...LN, tcpService: Option.some("172.18.0.3:30080"), persistentConn: true }, t, 10 * S).split("\n").slice(2, 3)).toEqual(["TCP  172.18.0.3:30080 rr persistent 10800"])
  })

  it("argument errors name the flag and what to give instead", () => {
    const t = workerTable()
    const err = (f: Partial<IpvsadmFlags>): string => {
      try {
        ipvsadmText({ ...LN, ...f }, t, 0)
        return "no error"
      } catch (e) {
        return (e as Error).message
      }
    }
    expect(err({ list: false })).toBe("ipvsadm: kubesim lists the IPVS table only: give -L (--list), e.g. ipvsadm -Ln")
    expect(err({ numeric: false })).toMatch(/^ipvsadm: kubesim prints addresses and ports numerically only .*: give -n \(--numeric\)/)
    expect(err({ stats: true })).toMatch(/^ipvsadm: --stats: kubesim's IPVS table keeps no packet or byte counters, so ipvsadm's Conns\/InPkts\/OutPkts\/InBytes\/OutBytes columns cannot be filled/)
    expect(err({ rate: true })).toMatch(/^ipvsadm: --rate: .*CPS\/InPPS\/OutPPS\/InBPS\/OutBPS/)
    expect(err({ connection: true, timeout: true })).toBe("ipvsadm: The option 'timeout' conflicts with the 'connection' option in the 'list' command")
    expect(err({ timeout: true, tcpService: Option.some("10.96.0.1:443") })).toBe("ipvsadm: The option 'timeout' conflicts with the 'service-address' option in the 'list' command")
    expect(err({ connection: true, udpService: Option.some("10.96.0.10:53") })).toBe("ipvsadm: The option 'service-address' conflicts with the 'connection' option in the 'list' command")
    expect(err({ tcpService: Option.some("10.96.0.1:443"), udpService: Option.some("10.96.0.10:53") })).toBe("ipvsadm: multiple 'service-address' options specified")
    expect(err({ tcpService: Option.some("10.96.0.10:80") })).toBe("ipvsadm: No such service")
    expect(err({ tcpService: Option.some("10.96.0.1") })).toBe("ipvsadm: No such service")
    for (const bad of ["kubernetes:443", "10.96.0.1:70000", "10.96.0.256:80", "10.96.0.1:"]) expect(err({ tcpService: Option.some(bad) }), bad).toBe("ipvsadm: illegal virtual server address[:port] specified")
  })

  it("a node whose kube-proxy is not in ipvs mode has no table: the error names the mode and where its rules are", () => {
    const node = (mode: string | undefined, ipvs: net.IpvsTable | null = null) => ({ name: "kind-worker", host: { ipvs }, proxy: { options: mode === undefined ? {} : { mode } } })
    const t = workerTable()
    expect(nodeIpvsTable(node("ipvs", t))).toBe(t)
    expect(() => nodeIpvsTable(node(undefined))).toThrow(
      "ipvsadm: node kind-worker's kube-proxy runs in iptables mode, so the node has no IPVS table; see its Service rules with kubesim iptables-save --node kind-worker; a run with cluster.proxyMode: ipvs has one",
    )
    expect(() => nodeIpvsTable(node("nftables"))).toThrow("runs in nftables mode, so the node has no IPVS table; see its Service rules with kubesim nft list ruleset --node kind-worker")
  })
})
