import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { runs } from "../../../../../../test-support/runs"
import { DEFAULT_IPVS_TIMEOUTS, IpvsTable } from "../../../net/index"
import { seconds } from "../../../sim/index"
import { applyIpvsSysctls } from "./config"

const applied = (tcpTimeout: number, tcpFinTimeout: number, udpTimeout: number) => {
  const t = new IpvsTable()
  applyIpvsSysctls(t, { tcpTimeout, tcpFinTimeout, udpTimeout })
  return t
}

describe("NewProxier's IPVS kernel settings", () => {
  it("sets expire_nodest_conn and expire_quiescent_template; zero timeouts keep the kernel's 900 s / 120 s / 300 s", () => {
    const t = applied(0, 0, 0)
    expect(t.sysctls).toEqual({ expireNodestConn: true, expireQuiescentTemplate: true })
    expect(t.timeouts).toEqual(DEFAULT_IPVS_TIMEOUTS)
    expect(DEFAULT_IPVS_TIMEOUTS).toEqual({ tcp: seconds(900), tcpFin: seconds(120), udp: seconds(300) })
  })

  it("a timeout reaches the kernel in whole seconds; under a second it arrives as 0 and the kernel keeps its own", () => {
    expect(applied(seconds(7.9), 0, seconds(0.5)).timeouts).toEqual({ tcp: seconds(7), tcpFin: seconds(120), udp: seconds(300) })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 13 }), (ns) => {
        const { tcp } = applied(ns, 0, 0).timeouts
        const whole = Math.floor(ns / 1e9)
        expect(tcp).toBe(whole > 0 ? seconds(whole) : DEFAULT_IPVS_TIMEOUTS.tcp)
      }),
      { numRuns: runs(200) },
    )
  })
})
