import fc from "fast-check"
import { millis, type Simulation } from "../../../sim/index"
import type { EndpointSliceView, ServiceView } from "../api-view"
import type { KubeProxy } from "../kube-proxy"
import { service, slice } from "./fixtures"

/** Tests only: ns1/svc1 (ClusterIP 172.30.0.41, port p80) and its one EndpointSlice. */
export const svc1 = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80 }] })
export const eps = (...ips: string[]): EndpointSliceView => slice("ns1", "svc1", 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "p80", port: 80 }])

/** One informer event at a time in [0, 3 s]: svc1's endpoints, svc1's port or presence, or the synced callbacks again. */
export const kubeProxyChange = fc.record({
  at: fc.integer({ min: 0, max: 3000 }),
  what: fc.oneof(
    fc.record({ kind: fc.constant("endpoints" as const), ips: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }) }),
    fc.record({ kind: fc.constant("service" as const), port: fc.constantFrom(80, 81), present: fc.boolean() }),
    fc.record({ kind: fc.constant("synced" as const) }),
  ),
})
export type KubeProxyChange = typeof kubeProxyChange extends fc.Arbitrary<infer T> ? T : never

/**
 * Starts `kp` with svc1 and one endpoint, schedules `changes` on `sim` and returns what the informers last
 * delivered (read it after the run).
 */
export const driveKubeProxy = (sim: Simulation, kp: KubeProxy, changes: ReadonlyArray<KubeProxyChange>): { svc: ServiceView | undefined; sl: EndpointSliceView } => {
  const state: { svc: ServiceView | undefined; sl: EndpointSliceView } = { svc: svc1, sl: eps("10.0.1.1") }
  kp.onServiceAdd(svc1)
  kp.onEndpointSliceAdd(state.sl)
  kp.start()
  kp.onSynced()
  const kind = sim.defineKind<KubeProxyChange["what"]>("change", (w) => {
    if (w.kind === "endpoints") {
      const next = eps(...w.ips.map((h) => `10.0.1.${h}`))
      kp.onEndpointSliceUpdate(state.sl, next)
      state.sl = next
    } else if (w.kind === "service") {
      const next = w.present ? service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: w.port }] }) : undefined
      if (state.svc !== undefined && next !== undefined) kp.onServiceUpdate(state.svc, next)
      else if (next !== undefined) kp.onServiceAdd(next)
      else if (state.svc !== undefined) kp.onServiceDelete(state.svc)
      state.svc = next
    } else kp.onSynced()
  })
  for (const c of changes) sim.at(millis(c.at), kind, c.what)
  return state
}
