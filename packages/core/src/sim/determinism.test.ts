import { describe, expect, it } from "vitest"
import { runFingerprint, type RunFingerprint } from "./testing/run-fingerprint"
import { startTsWorker } from "./testing/ts-worker"

const inWorker = (seed: number, customers: number): Promise<RunFingerprint> =>
  new Promise((resolve, reject) => {
    const w = startTsWorker(new URL("./testing/determinism-worker.ts", import.meta.url), { seed, customers })
    w.once("message", (m: RunFingerprint) => {
      resolve(m)
      void w.terminate()
    })
    w.once("error", reject)
    w.once("exit", (code) => {
      reject(new Error(`worker exited with code ${code} before answering`))
    })
  })

describe("determinism", () => {
  it("same seed and inputs: same trace hashes and byte-identical records, in this thread and in a worker thread", async () => {
    const here = runFingerprint(11, 20_000)
    expect(runFingerprint(11, 20_000)).toEqual(here)
    const there = await inWorker(11, 20_000)
    expect(there).toEqual(here)
  })

  it("a different seed gives a different hash for a non-trivial run", () => {
    const a = runFingerprint(11, 2_000)
    const b = runFingerprint(12, 2_000)
    expect(b.callbacksHash).not.toBe(a.callbacksHash)
    expect(b.processesHash).not.toBe(a.processesHash)
    expect(b.records).not.toBe(a.records)
  })
})
