import { describe, expect, it } from "vitest"
import { parseIpv4 } from "../addr/index"
import { TCP_ACK, TCP_SYN } from "../packet/packet"
import { IpvsTable, renderIpvsadmConnections, renderIpvsadmList, renderIpvsadmTimeout, type IpvsServiceSpec } from "./index"

const ip = parseIpv4
const S = 1_000_000_000
const spec = (protocol: "TCP" | "UDP", addr: string, port: number, persistence: number | null = null): IpvsServiceSpec => ({
  protocol,
  address: ip(addr),
  port,
  scheduler: "rr",
  persistence,
  netmask: 0xffffffff,
})

describe("ipvsadm -Ln", () => {
  it("prints the header, the title and each service with its real servers, sorted, in ipvsadm's columns", () => {
    const t = new IpvsTable()
    const dns = t.addService(spec("UDP", "10.96.0.10", 53))
    t.addDest(dns, ip("10.244.0.3"), 53, 1)
    t.addDest(dns, ip("10.244.0.2"), 53, 1)
    const web = t.addService(spec("TCP", "10.96.12.7", 80, 10800))
    t.addDest(web, ip("10.244.1.5"), 8080, 1)
    t.addDest(web, ip("10.244.2.9"), 8080, 0)
    const api = t.addService(spec("TCP", "10.96.0.1", 443))
    t.addDest(api, ip("172.18.0.2"), 6443, 1)
    // One established connection and one half-open one to the API server: both active (tcp_state_active_table
    // counts SYN_RECV as active since Linux 4.10).
    t.inbound(6, ip("10.244.1.5"), 40000, ip("10.96.0.1"), 443, TCP_SYN, 0)
    t.outbound(6, ip("172.18.0.2"), 6443, ip("10.244.1.5"), 40000, TCP_SYN | TCP_ACK, 1)
    t.inbound(6, ip("10.244.1.5"), 40000, ip("10.96.0.1"), 443, TCP_ACK, 2)
    t.inbound(6, ip("10.244.1.5"), 40001, ip("10.96.0.1"), 443, TCP_SYN, 3)
    expect(renderIpvsadmList(t, 4)).toBe(
      [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
        "TCP  10.96.0.1:443 rr",
        "  -> 172.18.0.2:6443              Masq    1      2          0         ",
        "TCP  10.96.12.7:80 rr persistent 10800",
        "  -> 10.244.1.5:8080              Masq    1      0          0         ",
        "  -> 10.244.2.9:8080              Masq    0      0          0         ",
        "UDP  10.96.0.10:53 rr",
        "  -> 10.244.0.2:53                Masq    1      0          0         ",
        "  -> 10.244.0.3:53                Masq    1      0          0         ",
        "",
      ].join("\n"),
    )
  })

  it("counts a half-open connection as active until its SYN_RECV timeout (60 s) passes", () => {
    const t = new IpvsTable()
    const s = t.addService(spec("TCP", "10.96.0.1", 443))
    const d = t.addDest(s, ip("172.18.0.2"), 6443, 1)
    t.inbound(6, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 443, TCP_SYN, 0)
    expect([d.activeConns, d.inactConns]).toEqual([1, 0])
    t.sweep(59_999_999_999)
    expect(d.activeConns).toBe(1)
    t.sweep(60_000_000_000)
    expect([d.activeConns, d.inactConns]).toEqual([0, 0])
  })

  it("sorts addresses as libipvs does: the unsigned difference read as an int, so 172.18.x.x lists before 10.96.x.x", () => {
    const t = new IpvsTable()
    for (const [p, a, port] of [["UDP", "10.96.0.10", 53], ["TCP", "10.96.5.5", 80], ["TCP", "172.18.0.3", 30080], ["TCP", "10.96.0.1", 443]] as const) {
      const s = t.addService(spec(p, a, port))
      t.addDest(s, ip("10.244.1.5"), 8080, 1)
      t.addDest(s, ip("172.18.0.4"), 8080, 1)
    }
    const services = renderIpvsadmList(t, 0).split("\n").filter((l) => /^(TCP|UDP) /.test(l))
    expect(services).toEqual(["TCP  172.18.0.3:30080 rr", "TCP  10.96.0.1:443 rr", "TCP  10.96.5.5:80 rr", "UDP  10.96.0.10:53 rr"])
    // Real servers the same way: the node address before the pod address.
    expect(renderIpvsadmList(t, 0).split("\n").slice(4, 6)).toEqual([
      "  -> 172.18.0.4:8080              Masq    1      0          0         ",
      "  -> 10.244.1.5:8080              Masq    1      0          0         ",
    ])
  })

  it("--persistent-conn and --thresholds: their titles and columns (print_title, print_service_entry)", () => {
    const t = new IpvsTable()
    const web = t.addService(spec("TCP", "10.96.12.7", 80, 10800))
    t.addDest(web, ip("10.244.1.5"), 8080, 1)
    t.inbound(6, ip("10.244.2.3"), 40000, ip("10.96.12.7"), 80, TCP_SYN, 0)
    expect(renderIpvsadmList(t, 1, "persistent-conn")).toBe(
      [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ",
        "  -> RemoteAddress:Port",
        "TCP  10.96.12.7:80 rr persistent 10800",
        "  -> 10.244.1.5:8080              1         1           1          0         ",
        "",
      ].join("\n"),
    )
    expect(renderIpvsadmList(t, 1, "thresholds")).toBe(
      [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ",
        "  -> RemoteAddress:Port",
        "TCP  10.96.12.7:80 rr persistent 10800",
        "  -> 10.244.1.5:8080              0          0          1          0         ",
        "",
      ].join("\n"),
    )
  })

  it("-c: connections then persistence templates, expire as mm:ss of whole seconds left, IPVS's state names", () => {
    const t = new IpvsTable()
    const web = t.addService(spec("TCP", "10.96.12.7", 80, 10800))
    const pod = t.addDest(web, ip("10.244.1.5"), 8080, 1)
    const dns = t.addService(spec("UDP", "10.96.0.10", 53))
    t.addDest(dns, ip("10.244.0.2"), 53, 1)
    const c = ip("10.244.2.3")
    t.inbound(6, c, 40000, ip("10.96.12.7"), 80, TCP_SYN, 0)
    t.outbound(6, pod.address, 8080, c, 40000, TCP_SYN | TCP_ACK, 1_000_000)
    t.inbound(6, c, 40000, ip("10.96.12.7"), 80, TCP_ACK, 2_000_000)
    t.inbound(17, c, 51000, ip("10.96.0.10"), 53, 0, 50 * S)
    const text = renderIpvsadmConnections(t, 100 * S)
    expect(text).toBe(
      [
        "IPVS connection entries",
        "pro expire state       source             virtual            destination",
        "TCP 13:20  ESTABLISHED 10.244.2.3:40000   10.96.12.7:80      10.244.1.5:8080",
        "UDP 04:10  UDP         10.244.2.3:51000   10.96.0.10:53      10.244.0.2:53",
        "TCP 178:20 NONE        10.244.2.3:0       10.96.12.7:80      10.244.1.5:8080",
        "",
      ].join("\n"),
    )
    expect(renderIpvsadmConnections(t, 100 * S, true).split("\n")[1]).toBe(
      "pro expire state       source             virtual            destination        pe name          pe_data",
    )
    // Past every timeout nothing is left but the header.
    expect(renderIpvsadmConnections(t, 20000 * S).split("\n").length).toBe(3)
  })

  it("--timeout: the kernel's defaults, or what kube-proxy set, in whole seconds", () => {
    const t = new IpvsTable()
    expect(renderIpvsadmTimeout(t)).toBe("Timeout (tcp tcpfin udp): 900 120 300\n")
    t.timeouts = { tcp: 3600 * S, tcpFin: 30 * S + 999_999_999, udp: 5 * S }
    expect(renderIpvsadmTimeout(t)).toBe("Timeout (tcp tcpfin udp): 3600 30 5\n")
  })
})
