import { describe, expect, it } from "vitest"
import { millis, seconds, Simulation, type Nanos } from "../../sim/index"
import { KubeProxy } from "./kube-proxy"
import { FAKE_PROXIER_CONFIG, service, slice } from "./test-support/fixtures"

describe("KubeProxy on the simulation kernel", () => {
  it("rules lag the API: syncs are rate-limited (burst 2, minSyncPeriod 1 s) and land after the restore's duration", () => {
    const sim = new Simulation(7)
    const applied: { at: Nanos; payload: string }[] = []
    const kp = new KubeProxy(sim, { ...FAKE_PROXIER_CONFIG, nfacct: false }, {
      node: { apply: (payload) => applied.push({ at: sim.now, payload }) },
      cost: { base: millis(10), perLine: 0 },
    })
    const svc = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80 }] })
    const s1 = slice("ns1", "svc1", 1, [{ addresses: ["10.0.0.1"] }], [{ name: "p80", port: 80 }])
    kp.onServiceAdd(svc)
    kp.onEndpointSliceAdd(s1)
    kp.start()
    kp.onSynced()
    const change = sim.defineKind<number>("endpoint-change", (i) => {
      kp.onEndpointSliceUpdate(s1, slice("ns1", "svc1", 1, [{ addresses: [`10.0.0.${i}`] }], [{ name: "p80", port: 80 }]))
    })
    for (let i = 2; i <= 6; i++) sim.at(millis(100 * i), change, i)
    sim.run({ until: seconds(5) })
    // Initial sync at 0 lands at 10 ms; changes at 200 and 300 ms use the two burst tokens; 400–600 ms coalesce
    // into one run when the next token is back (lastRun 310 ms + 1 s).
    expect(kp.runner.runs).toEqual([millis(200), millis(300), millis(1310)])
    expect(applied.map((a) => a.at)).toEqual([millis(10), millis(210), millis(310), millis(1320)])
    expect(applied[3]?.payload).toContain("--to-destination 10.0.0.6:80")
  })
})
