import { describe, expect, test } from "vitest"
import { buildRunReport } from "../src/index"
import type { ActionRecord, RequestRecord, RunRecord } from "../src/index"

// Error windows on hand-written request records: by request start time, from the first failure to the first
// success after the last failure, whatever the failures' client timeouts.
const S = 1_000_000_000
const MS = 1_000_000

let nextId = 0
const req = (t: number, outcome: "ok" | "failed", opts: { end?: number; client?: string } = {}): RequestRecord => ({
  kind: "request", id: ++nextId, t, end: opts.end ?? t + MS, client: opts.client ?? "c1", clientIp: "10.1.0.9", phase: null, service: "ns/s:", url: "http://s/",
  dst: "10.96.0.5:80", node: "n1", endpoint: outcome === "ok" ? "10.0.0.1:80" : null, pod: outcome === "ok" ? "a" : null, sourceIp: "10.1.0.9",
  outcome, cause: outcome === "ok" ? null : "timeout", latency: outcome === "ok" ? MS : null, status: outcome === "ok" ? 200 : null, connection: nextId,
})
const kill = (t: number): ActionRecord => ({ kind: "action", t, actor: "scenario", verb: "kill", object: "Pod ns/a" }) as ActionRecord

const windows = (records: RunRecord[], end = 60 * S) =>
  buildRunReport({ meta: { scenario: "x", variant: "v", seed: 1, traceHash: "0" }, records: [...records, { kind: "run-end", t: end } as RunRecord] }).errorWindows

describe("error windows (SRE definition)", () => {
  test("first failed request → first success after the last failure; the client timeout is not part of it", () => {
    // Two failures whose 10 s timeouts run far past the recovery; another client succeeds at 12.5 s.
    const w = windows([kill(9 * S), req(10 * S, "ok"), req(11 * S, "failed", { end: 21 * S }), req(12 * S, "failed", { end: 22 * S, client: "c2" }), req(12.5 * S, "ok", { client: "c3" }), req(13 * S, "ok")])
    expect(w).toHaveLength(1)
    expect(w[0]).toMatchObject({ start: 11 * S, end: 12.5 * S, duration: 1.5 * S, recoveredAt: 12.5 * S, timeToRecover: 1.5 * S, failed: 2, requests: 2 })
    // measured from the first failure, not from the kill; the kill's lead time is reported on its own
    expect(w[0]!.trigger).toMatchObject({ verb: "kill", t: 9 * S })
    expect(w[0]!.sinceTrigger).toBe(2 * S)
  })
  test("failures with no success between them are one window however far apart", () => {
    const w = windows([req(10 * S, "failed"), req(30 * S, "failed"), req(31 * S, "ok")])
    expect(w).toHaveLength(1)
    expect(w[0]).toMatchObject({ start: 10 * S, recoveredAt: 31 * S, timeToRecover: 21 * S, failed: 2 })
  })
  test("a failure within the gap after a recovery reopens the window; a later one starts a new window", () => {
    const flap = windows([req(10 * S, "failed"), req(11 * S, "ok"), req(11.5 * S, "failed"), req(12 * S, "ok"), req(20 * S, "failed"), req(21 * S, "ok")])
    expect(flap.map((w) => [w.start, w.recoveredAt, w.failed, w.requests])).toEqual([
      [10 * S, 12 * S, 2, 3],
      [20 * S, 21 * S, 1, 1],
    ])
  })
  test("a success started at the same time as the last failure does not close the window", () => {
    const w = windows([req(10 * S, "failed"), req(10 * S, "ok", { client: "c2" }), req(11 * S, "ok")])
    expect(w[0]).toMatchObject({ recoveredAt: 11 * S, duration: 1 * S })
  })
  test("a window that never recovers runs to the end of the run and has no time to recover", () => {
    const w = windows([req(10 * S, "ok"), req(50 * S, "failed", { end: 70 * S })], 60 * S)
    expect(w).toEqual([expect.objectContaining({ start: 50 * S, end: 60 * S, duration: 10 * S, recoveredAt: null, timeToRecover: null, sinceTrigger: null, requests: 1 })])
  })
})
