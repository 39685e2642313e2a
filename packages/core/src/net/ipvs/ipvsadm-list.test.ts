import { describe, expect, it } from "vitest"
import { parseIpv4 } from "../addr/index"
import { TCP_ACK, TCP_SYN } from "../packet/packet"
import { IpvsTable, renderIpvsadmList, type IpvsServiceSpec } from "./index"

const ip = parseIpv4
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
    // One established connection and one half-open one to the API server.
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
        "  -> 172.18.0.2:6443              Masq    1      1          1         ",
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

  it("shows a half-open connection as inactive until its SYN_RECV timeout (60 s) passes", () => {
    const t = new IpvsTable()
    const s = t.addService(spec("TCP", "10.96.0.1", 443))
    const d = t.addDest(s, ip("172.18.0.2"), 6443, 1)
    t.inbound(6, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 443, TCP_SYN, 0)
    expect([d.activeConns, d.inactConns]).toEqual([0, 1])
    t.sweep(59_999_999_999)
    expect(d.inactConns).toBe(1)
    t.sweep(60_000_000_000)
    expect(d.inactConns).toBe(0)
  })
})
