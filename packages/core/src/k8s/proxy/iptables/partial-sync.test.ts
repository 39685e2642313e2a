import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import { renderSave } from "../../../net/index"
import type { EndpointSliceView, EndpointView, ServiceView } from "../api-view"
import { proxierOn, service, slice, startProxier } from "../test-support/fixtures"
import { NetfilterSink, netfilterProxier } from "../test-support/netfilter-node"
import { FULL_SYNC_PERIOD } from "./iptables-proxier"

/**
 * The kernel as the proxier sees it: payloads land in a netfilter Ruleset (iptables-restore --noflush, all or
 * nothing, refusing a table whose rules jump to a deleted chain), and stale-chain detection lists the nat
 * table as `iptables-save -t nat` does, instead of the proxier's own memory.
 */
class ListingSink extends NetfilterSink {
  natChains(): Iterable<string> {
    return this.ruleset.table("nat")?.chains.keys() ?? []
  }
}

const PORTS = [
  { name: "p80", port: 80 },
  { name: "p443", port: 443 },
  { name: "p53", port: 53 },
] as const

interface Model {
  readonly services: Map<number, ServiceView>
  /** `<service index>/<slice index>` → slice. */
  readonly slices: Map<string, EndpointSliceView>
}

interface Real {
  readonly proxier: ReturnType<typeof proxierOn<ListingSink>>["proxier"]
  readonly sink: ListingSink
  readonly clock: { now: number }
  syncs: number
}

const svcName = (i: number) => `svc${i}`

/** Services 1 and 3 are UDP: a slice's ports match its service's unless the slice says otherwise. */
const isUdp = (i: number) => i % 2 === 1

interface ServiceSpec {
  readonly i: number
  readonly ports: ReadonlyArray<number>
  readonly type: "ClusterIP" | "NodePort"
  readonly affinity: boolean
  readonly etpLocal: boolean
  readonly itpLocal: boolean
}

const serviceOf = (s: ServiceSpec): ServiceView =>
  service("ns", svcName(s.i), {
    type: s.type,
    clusterIP: `172.30.0.${10 + s.i}`,
    ports: s.ports.map((k) => {
      const p = PORTS[k] as (typeof PORTS)[number]
      return { name: p.name, port: p.port, protocol: isUdp(s.i) ? ("UDP" as const) : ("TCP" as const), ...(s.type === "NodePort" ? { nodePort: 30000 + s.i * 10 + k } : {}) }
    }),
    ...(s.affinity ? { sessionAffinity: "ClientIP" as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } } } : {}),
    ...(s.type === "NodePort" && s.etpLocal ? { externalTrafficPolicy: "Local" as const } : {}),
    ...(s.itpLocal ? { internalTrafficPolicy: "Local" as const } : {}),
  })

interface SliceSpec {
  readonly i: number
  readonly k: number
  /** The slice's ports use the other protocol (they then match no port of the service). */
  readonly otherProtocol: boolean
  readonly ports: ReadonlyArray<number>
  readonly endpoints: ReadonlyArray<{ readonly host: number; readonly local: boolean; readonly state: 0 | 1 | 2 }>
}

const sliceOf = (s: SliceSpec): EndpointSliceView => {
  // A small address space, so endpoints come and go and the same ip:port moves between slices.
  const endpoints: EndpointView[] = s.endpoints.map((e) => ({
    addresses: [`10.0.${s.i}.${e.host}`],
    // 0: ready; 1: serving but terminating; 2: neither.
    conditions: { ready: e.state === 0, serving: e.state !== 2, terminating: e.state !== 0 },
    nodeName: e.local ? "test-node" : "other-node",
  }))
  const ports = s.ports.map((k) => {
    const p = PORTS[k] as (typeof PORTS)[number]
    return { name: p.name, port: p.port + 8000, protocol: isUdp(s.i) !== s.otherProtocol ? ("UDP" as const) : ("TCP" as const) }
  })
  return slice("ns", svcName(s.i), s.k, endpoints, ports)
}

const portsArb = fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 })
const serviceSpecArb: fc.Arbitrary<ServiceSpec> = fc.record({
  i: fc.integer({ min: 0, max: 3 }),
  ports: portsArb,
  type: fc.constantFrom("ClusterIP" as const, "NodePort" as const),
  affinity: fc.boolean(),
  etpLocal: fc.boolean(),
  itpLocal: fc.boolean(),
})
const sliceSpecArb: fc.Arbitrary<SliceSpec> = fc.record({
  i: fc.integer({ min: 0, max: 3 }),
  k: fc.integer({ min: 0, max: 1 }),
  otherProtocol: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  ports: fc.oneof(fc.constant([0, 1, 2]), portsArb),
  endpoints: fc.uniqueArray(
    fc.record({ host: fc.integer({ min: 1, max: 6 }), local: fc.boolean(), state: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const) }),
    { maxLength: 4, selector: (e) => e.host },
  ),
})

/** After every sync: the kernel holds exactly what a freshly started kube-proxy writes for the same API state. */
const expectFreshRules = (m: Model, r: Real): void => {
  const fresh = netfilterProxier()
  startProxier(fresh.proxier, [...m.services.values()], [...m.slices.values()])
  expect(renderSave(r.sink.ruleset)).toBe(renderSave(fresh.sink.ruleset))
}

class PutService implements fc.Command<Model, Real> {
  constructor(readonly spec: ServiceSpec) {}
  check = () => true
  run(m: Model, r: Real): void {
    const svc = serviceOf(this.spec)
    const old = m.services.get(this.spec.i)
    if (old === undefined) r.proxier.onServiceAdd(svc)
    else r.proxier.onServiceUpdate(old, svc)
    m.services.set(this.spec.i, svc)
  }
  toString = () => `put service ${JSON.stringify(this.spec)}`
}

class DeleteService implements fc.Command<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.services.has(this.i)
  run(m: Model, r: Real): void {
    r.proxier.onServiceDelete(m.services.get(this.i) as ServiceView)
    m.services.delete(this.i)
  }
  toString = () => `delete service ${svcName(this.i)}`
}

class PutSlice implements fc.Command<Model, Real> {
  constructor(readonly spec: SliceSpec) {}
  check = () => true
  run(m: Model, r: Real): void {
    const key = `${this.spec.i}/${this.spec.k}`
    const s = sliceOf(this.spec)
    const old = m.slices.get(key)
    if (old === undefined) r.proxier.onEndpointSliceAdd(s)
    else r.proxier.onEndpointSliceUpdate(old, s)
    m.slices.set(key, s)
  }
  toString = () => `put slice ${JSON.stringify(this.spec)}`
}

class DeleteSlice implements fc.Command<Model, Real> {
  constructor(readonly i: number, readonly k: number) {}
  check = (m: Readonly<Model>) => m.slices.has(`${this.i}/${this.k}`)
  run(m: Model, r: Real): void {
    const key = `${this.i}/${this.k}`
    r.proxier.onEndpointSliceDelete(m.slices.get(key) as EndpointSliceView)
    m.slices.delete(key)
  }
  toString = () => `delete slice ${svcName(this.i)}-${this.k}`
}

/** A sync; `fail`: the kernel refuses this restore (then the next one must be a full sync that recovers). */
class Sync implements fc.Command<Model, Real> {
  constructor(readonly fail: boolean, readonly hourLater: boolean) {}
  check = () => true
  run(m: Model, r: Real): void {
    if (this.hourLater) r.clock.now += FULL_SYNC_PERIOD + 1
    r.sink.failNext = this.fail
    const before = renderSave(r.sink.ruleset)
    const result = r.proxier.syncProxyRules()
    r.syncs++
    if (this.fail) {
      expect(result?.success).toBe(false)
      // All or nothing: a refused restore leaves the table as it was.
      expect(renderSave(r.sink.ruleset)).toBe(before)
      return
    }
    // Every payload restores cleanly onto the table the previous syncs left (the validation throws otherwise).
    expect(result?.error).toBeUndefined()
    expect(result?.success).toBe(true)
    expectFreshRules(m, r)
  }
  toString = () => `sync${this.fail ? " (restore refused)" : ""}${this.hourLater ? " an hour later" : ""}`
}

const commands = [
  serviceSpecArb.map((s) => new PutService(s)),
  fc.integer({ min: 0, max: 3 }).map((i) => new DeleteService(i)),
  sliceSpecArb.map((s) => new PutSlice(s)),
  sliceSpecArb.map((s) => new PutSlice(s)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 })).map(([i, k]) => new DeleteSlice(i, k)),
  fc.constant(new Sync(false, false)),
  fc.constant(new Sync(false, false)),
  // Now and then the kernel refuses a restore, or an hour passes (FullSyncPeriod: the next sync is full).
  fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })).map(([f, h]) => new Sync(f === 0, h === 0)),
]

describe("iptables proxier: partial syncs over random change sequences", () => {
  it("every payload restores onto the previous table, and after each sync the rules equal a fresh full sync's", () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 40, size: "+1" }), (cmds) => {
        const { proxier, sink, clock } = proxierOn(new ListingSink())
        startProxier(proxier, [], [])
        const model: Model = { services: new Map(), slices: new Map() }
        const real: Real = { proxier, sink, clock, syncs: 0 }
        fc.modelRun(() => ({ model, real }), cmds)
        // Whatever the last command was, one more sync brings the kernel to the final state.
        new Sync(false, false).run(model, real)
      }),
      { numRuns: runs(60) },
    )
  })

  it("regression (kubesim issue 14): an endpoint leaves, then a sync with no change; no chain is deleted while referenced", () => {
    const { proxier, sink } = proxierOn(new ListingSink())
    const svc = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80 }] })
    const two = slice("ns1", "svc1", 1, [{ addresses: ["10.0.1.1"] }, { addresses: ["10.0.1.2"] }], [{ name: "p80", port: 80 }])
    const one = slice("ns1", "svc1", 1, [{ addresses: ["10.0.1.1"] }], [{ name: "p80", port: 80 }])
    startProxier(proxier, [svc], [two])
    proxier.onEndpointSliceUpdate(two, one)
    const removal = proxier.syncProxyRules()
    // The endpoint's SEP chain goes in the same payload that rewrites the SVC chain jumping to it.
    expect(removal?.success).toBe(true)
    expect(removal?.payload).toMatch(/^:KUBE-SVC-XPGD46QRK7WJZT7O - \[0:0\]$/m)
    expect(removal?.payload).toMatch(/^-X KUBE-SEP-/m)
    const idle = proxier.syncProxyRules()
    expect(idle?.success).toBe(true)
    expect(idle?.payload).not.toMatch(/KUBE-SEP-/)
    expect(renderSave(sink.ruleset)).not.toContain("10.0.1.2")
  })
})
