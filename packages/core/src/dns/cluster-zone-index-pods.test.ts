import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import type { PodView } from "./cluster-view"
import { ClusterZoneIndex } from "./cluster-zone-index"

const IPS = ["10.244.1.2", "10.244.1.3", "10.244.2.2", "fd00::2", "fd00::3"]

describe("ClusterZoneIndex pods (pods verified)", () => {
  it("after any run of pod writes and deletes, an IP is found in a namespace exactly when a stored pod there has it; the namespace exists while a pod does", () => {
    const step = fc.oneof(
      // A write: a new status (new podIPs array), or the last one kept (a status write that did not touch addresses).
      fc.record({ op: fc.constant("set" as const), pod: fc.nat(3), ns: fc.constantFrom("a", "b"), ip: fc.option(fc.constantFrom(...IPS)), list: fc.boolean(), second: fc.option(fc.constantFrom("fd00::2", "fd00::3")), keep: fc.boolean() }),
      fc.record({ op: fc.constant("delete" as const), pod: fc.nat(3), ns: fc.constantFrom("a", "b") }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const index = new ClusterZoneIndex()
        const model = new Map<string, { ns: string; ips: string[] }>()
        const lastStatus = new Map<string, PodView["status"]>()
        for (const s of steps) {
          const key = `${s.ns}/p${s.pod}`
          if (s.op === "delete") {
            index.deletePod(s.ns, `p${s.pod}`)
            model.delete(key)
            continue
          }
          const kept = lastStatus.get(key)
          const status: PodView["status"] =
            s.keep && kept !== undefined
              ? kept
              : s.ip === null
                ? {}
                : s.list
                  ? { podIP: s.ip, podIPs: s.second === null ? [{ ip: s.ip }] : [{ ip: s.ip }, { ip: s.second }] }
                  : { podIP: s.ip }
          lastStatus.set(key, status)
          index.setPod({ metadata: { name: `p${s.pod}`, namespace: s.ns }, spec: {}, status })
          model.set(key, { ns: s.ns, ips: [...(status?.podIP === undefined ? [] : [status.podIP]), ...(status?.podIPs ?? []).map((p) => p.ip)] })
        }
        for (const ns of ["a", "b"]) {
          // A namespace with a pod in it exists for DNS (namespaceExposed), with or without its object.
          expect(index.namespaceExists(ns)).toBe([...model.values()].some((p) => p.ns === ns))
          for (const ip of IPS) {
            const want = [...model.values()].some((p) => p.ns === ns && p.ips.includes(ip))
            expect(index.podWithIpExists(ns, ip)).toBe(want)
          }
        }
      }),
      { numRuns: runs(300) },
    )
  })
})
