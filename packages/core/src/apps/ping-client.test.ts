import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../sim/index"
import { parseIpv4 } from "../net/index"
import { PingClient, type PingResult } from "./ping-client"
import { WEB_SERVICE_IP, makeSmallCluster } from "./test-support/small-cluster"

const S = NANOS_PER_SECOND

const run = (dst: string, count: number, timeout?: number): { result: PingResult; endedAt: number; lines: number } => {
  const c = makeSmallCluster({ webPods: 2 })
  const p = new PingClient(c.client, c.env, { count, ...(timeout !== undefined ? { timeout } : {}) })
  let result: PingResult | undefined
  let endedAt = -1
  let lines = 0
  const t0 = c.sim.now
  p.start(parseIpv4(dst), () => lines++, (r) => {
    result = r
    endedAt = c.sim.now - t0
  })
  c.sim.run({ until: t0 + 60 * S })
  if (result === undefined) throw new Error("ping did not end")
  return { result, endedAt, lines }
}

describe("PingClient (busybox ping's loop)", () => {
  it("pings a pod: N echoes 1 s apart, each answered once, and ends at the last reply", () => {
    const c = makeSmallCluster({ webPods: 2 })
    const { result, endedAt, lines } = run(c.web[1]!.ip, 3)
    expect(result.transmitted).toBe(3)
    expect(result.received).toBe(3)
    expect(result.duplicates).toBe(0)
    expect(lines).toBe(3)
    expect(result.replies.map((r) => r.seq)).toEqual([0, 1, 2])
    expect(result.replies.every((r) => r.bytes === 64 && r.rttMicros > 0 && r.rttMicros < 10_000)).toBe(true)
    expect(endedAt).toBeGreaterThan(2 * S)
    expect(endedAt).toBeLessThan(2 * S + 10_000_000)
  })

  it("a ClusterIP never answers: all echoes lost, the run ends -W seconds after the last echo (default 10)", () => {
    const a = run(WEB_SERVICE_IP, 2)
    expect(a.result).toMatchObject({ transmitted: 2, received: 0, replies: [] })
    expect(a.endedAt).toBe(1 * S + 10 * S)
    const b = run(WEB_SERVICE_IP, 3, 2 * S)
    expect(b.endedAt).toBe(2 * S + 2 * S)
  })

  it("rejects a count below 1", () => {
    const c = makeSmallCluster()
    expect(() => new PingClient(c.client, c.env, { count: 0 })).toThrow(/count 0/)
  })
})
