import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { Ruleset, TableShareCache, applyRestore } from "../../net/index"
import { IptablesProxier, type ServicePortMap } from "../proxy/index"
import { service, slice } from "../proxy/test-support/fixtures"
import { changedEndpointShares, SharesLedger, type RecordedSharesMemo } from "./endpoint-shares"

// Three Services whose endpoints move between versions; one proxier renders the payloads every node restores.
const svcs = [0, 1, 2].map((i) => service("ns1", `svc${i}`, { clusterIP: `172.30.0.${41 + i}`, ports: [{ name: "p80", port: 80 }] }))
const versions = [["10.0.1.1"], ["10.0.1.1", "10.0.2.1"], ["10.0.2.1", "10.0.3.1", "10.0.1.2"]]
const sliceOf = (i: number, v: number) => slice("ns1", `svc${i}`, 1, (versions[v] as string[]).map((ip) => ({ addresses: [ip], nodeName: "node-1" })), [{ name: "p80", port: 80 }])

describe("SharesLedger: what nodes' rules records said, shared by the nodes in step", () => {
  test("every node records the shares it would record alone; nodes on the same table and ledger share the next ledger", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ svc: fc.nat(2), version: fc.nat(2), node: fc.nat(2), counted: fc.boolean() }), { minLength: 1, maxLength: 12 }), (steps) => {
        const payloads: string[] = []
        const proxier = new IptablesProxier(
          { nodeName: "node-0", nodeIPs: ["192.168.0.2"], clusterCIDR: "10.0.0.0/16" },
          { now: () => 0, sink: { restore: (p) => void payloads.push(p) } },
        )
        for (const s of svcs) proxier.onServiceAdd(s)
        proxier.onServiceSynced()
        proxier.onEndpointSlicesSynced()
        const cache = new TableShareCache()
        const empty = SharesLedger.empty()
        const nodes = [0, 1, 2].map(() => ({ ruleset: new Ruleset(), ledger: empty, alone: new Map() as RecordedSharesMemo, written: [] as ReadonlySet<string>[], diverged: false }))
        // As kindnetd's rules do on a cluster's nodes: the first restore makes the nodes' nat tables one shared table.
        for (const n of nodes) applyRestore(n.ruleset, "*nat\n-A POSTROUTING -j RETURN\nCOMMIT\n", { noflush: true, tableCache: cache })
        const shown = new Map<number, number>()
        for (const st of steps) {
          const before = shown.get(st.svc)
          shown.set(st.svc, st.version)
          if (before === undefined) proxier.onEndpointSliceAdd(sliceOf(st.svc, st.version))
          else proxier.onEndpointSliceUpdate(sliceOf(st.svc, before), sliceOf(st.svc, st.version))
          proxier.syncProxyRules()
          const payload = payloads[payloads.length - 1] as string
          const services: ServicePortMap = proxier.svcPortMap
          // Every node restores the sync's payload (one of them, when `counted`, restores it twice: a path of its own).
          const shares = nodes.map((n, k) => {
            n.written = []
            const restore = () => applyRestore(n.ruleset, payload, { noflush: true, tableCache: cache, onWritten: (t, c) => void (t === "nat" && c !== null && n.written.push(c)) })
            restore()
            if (st.counted && k === st.node) {
              restore()
              n.diverged = true
            }
            const step = n.ledger.record(n.ruleset, services, n.written, () => proxier.sortedServiceKeys)
            n.ledger = step.next
            const alone = changedEndpointShares(n.ruleset, services, proxier.sortedServiceKeys, n.alone)
            expect(step.shares).toEqual(alone)
            return step
          })
          // Nodes that took the same path (never restored a payload twice) hold one ledger.
          const inStep = shares.filter((_, k) => !(nodes[k] as { diverged: boolean }).diverged)
          for (const step of inStep) expect(step.next).toBe(inStep[0]?.next)
        }
      }),
      { numRuns: runs(60) },
    )
  })
})
