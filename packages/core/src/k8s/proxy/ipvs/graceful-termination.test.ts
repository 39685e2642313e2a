import { describe, expect, it } from "vitest"
import { IpvsTable, parseIpv4, TCP_ACK, TCP_SYN, type IpvsProtocol } from "../../../net/index"
import { GracefulTerminationManager, RS_CHECK_DELETE_INTERVAL, uniqueRsName } from "./graceful-termination"

const ip = parseIpv4
const S = 1_000_000_000

const setup = (protocol: IpvsProtocol) => {
  const t = new IpvsTable()
  t.sysctls = { expireNodestConn: true, expireQuiescentTemplate: true }
  const svc = t.addService({ protocol, address: ip("10.96.0.1"), port: 80, scheduler: "rr", persistence: null, netmask: 0xffffffff })
  const a = t.addDest(svc, ip("10.244.0.5"), 8080, 1)
  const b = t.addDest(svc, ip("10.244.0.6"), 8080, 1)
  return { t, svc, a, b, m: new GracefulTerminationManager(t) }
}

describe("GracefulTerminationManager (graceful_termination.go)", () => {
  it("an idle real server is deleted at once", () => {
    const { t, svc, a, m } = setup("TCP")
    m.gracefulDeleteRS(svc, a, 0)
    expect(t.findDest(svc, a.address, 8080)).toBeNull()
    expect(m.pending()).toEqual([])
  })

  it("a TCP real server with connections gets weight 0 and goes once they expire (checked every minute)", () => {
    const { t, svc, m } = setup("TCP")
    // rr picks the list head first: 10.244.0.6.
    const cp = t.inbound(6, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 80, TCP_SYN, 0)
    t.inbound(6, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 80, TCP_ACK, 0)
    expect(typeof cp).toBe("object")
    const b = t.findDest(svc, ip("10.244.0.6"), 8080)!
    m.gracefulDeleteRS(svc, b, S)
    expect(b.weight).toBe(0)
    expect(m.pending()).toEqual(["10.96.0.1:80/TCP/10.244.0.6:8080"])
    // New connections avoid it; the established one lives its 900 s.
    const next = t.inbound(6, ip("10.0.0.2"), 1000, ip("10.96.0.1"), 80, TCP_SYN, 2 * S)
    expect(typeof next === "object" && next.dest.address).toBe(ip("10.244.0.5"))
    let now = 0
    while (m.inTerminationList(uniqueRsName(svc, b))) {
      now += RS_CHECK_DELETE_INTERVAL
      m.tryDeleteRs(now)
    }
    expect(now).toBe(900 * S)
    expect(t.findDest(svc, b.address, 8080)).toBeNull()
  })

  it("UDP real servers are deleted at once even with connections; a returning endpoint leaves the list", () => {
    const { t, svc, m } = setup("UDP")
    t.inbound(17, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 80, 0, 0)
    const b = t.findDest(svc, ip("10.244.0.6"), 8080)!
    expect(b.activeConns).toBe(1)
    m.gracefulDeleteRS(svc, b, S)
    expect(t.findDest(svc, b.address, 8080)).toBeNull()
    const tcp = setup("TCP")
    tcp.t.inbound(6, ip("10.0.0.1"), 1000, ip("10.96.0.1"), 80, TCP_SYN, 0)
    const tb = tcp.t.findDest(tcp.svc, ip("10.244.0.6"), 8080)!
    tcp.m.gracefulDeleteRS(tcp.svc, tb, S)
    tcp.m.moveRSOutOfGracefulDeleteList(uniqueRsName(tcp.svc, tb))
    expect(tcp.m.pending()).toEqual([])
    expect(tcp.t.findDest(tcp.svc, tb.address, 8080)).toBeNull()
  })
})
