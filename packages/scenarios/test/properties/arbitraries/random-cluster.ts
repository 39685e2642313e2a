import fc from "fast-check"
import {
  type AppPlan,
  type ChangePlan,
  CHANGES,
  type ClientPlan,
  type ClusterPlan,
  type GeneratedCase,
  type PortPlan,
  SERVICE_TYPES,
  type ServicePlan,
  TARGETS,
  type TrafficPlan,
} from "./cluster-plan"

/**
 * Input families that once triggered defects (issue 14, findings F1–F3: both fixed, with regression tests in
 * k8s/proxy and k8s/cluster). The default run generates all of them; each flag can still be turned off to narrow
 * a search when bisecting a new failure.
 */
export interface KnownDefectInputs {
  /**
   * A failed node recovering: its kube-proxy re-lists and the informers' synced callbacks run a sync directly while
   * a runner sync's restore is still in flight; the second, shorter payload lands first and refers to chains only
   * the first creates ("no chain or target named KUBE-SVC-…", or "chain KUBE-SEP-… is deleted but still
   * referenced"), and the rejected restore aborts the run (issue 14; proxy engineer; finding F1). Its
   * re-list also keeps objects deleted while the node was down (F2). Off: failed nodes stay down.
   */
  readonly nodeRecovery: boolean
  /**
   * Pod clients resolving names outside the cluster domain (an upstream name, an ExternalName Service's alias, the
   * last try of a deleted Service's name): CoreDNS's forward path to the upstream resolver answers SERVFAIL or
   * nothing over the data plane (issue 14; dns engineer; F3). The generator still produces them; off, the DNS
   * invariant does not compare those names (their requests fail with cause `dns`, which the others accept).
   */
  readonly podUpstreamDns: boolean
}

export const ALL_INPUTS: KnownDefectInputs = { nodeRecovery: true, podUpstreamDns: true }
export const DEFAULT_INPUTS: KnownDefectInputs = ALL_INPUTS

const app: fc.Arbitrary<AppPlan> = fc.record({
  namespace: fc.constantFrom(0, 0, 1),
  replicas: fc.option(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 }, { arbitrary: fc.constant(0), weight: 1 }), { freq: 5 }),
  barePods: fc.integer({ min: 0, max: 2 }),
  probe: fc.option(fc.record({ periodSeconds: fc.integer({ min: 1, max: 3 }), failureThreshold: fc.integer({ min: 1, max: 3 }) }), { freq: 2 }),
  liveness: fc.option(fc.record({ periodSeconds: fc.integer({ min: 1, max: 3 }), failureThreshold: fc.integer({ min: 1, max: 3 }) }), { freq: 3 }),
  terminationGracePeriodSeconds: fc.integer({ min: 0, max: 4 }),
})

const port: fc.Arbitrary<PortPlan> = fc.record({
  named: fc.boolean(),
  port: fc.constantFrom(80, 80, 8080, 53, 443),
  protocol: fc.constantFrom("TCP", "TCP", "TCP", "UDP"),
  target: fc.constantFrom("80", "80", "80", "http", "http", "8080"),
})

const service = (kinds: ReadonlyArray<ServicePlan["kind"]>): fc.Arbitrary<ServicePlan> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    app: fc.nat(),
    ports: fc.uniqueArray(port, { minLength: 1, maxLength: 3, selector: (p) => `${p.port}/${p.protocol}` }),
    affinity: fc.option(fc.integer({ min: 1, max: 10_800 }), { freq: 2 }),
    externalTrafficPolicy: fc.constantFrom("Cluster", "Local"),
    internalTrafficPolicy: fc.constantFrom("Cluster", "Cluster", "Local"),
    fixedClusterIP: fc.boolean(),
    externalName: fc.nat(),
  })

const traffic: fc.Arbitrary<TrafficPlan> = fc.record({
  type: fc.constantFrom("loop", "poisson", "closed", "ramp", "burst"),
  intensity: fc.integer({ min: 1, max: 8 }),
  pauseMs: fc.integer({ min: 50, max: 1_000 }),
  connection: fc.option(fc.constantFrom("one-shot", "keep-alive", "multiplexed"), { freq: 2 }),
  maxRequests: fc.integer({ min: 0, max: 5 }),
  timeoutMs: fc.integer({ min: 300, max: 3_000 }),
  startMs: fc.integer({ min: 0, max: 4_000 }).map((t) => (t < 1_000 ? t : t + 1_000)),
})

const client: fc.Arbitrary<ClientPlan> =
  fc.record({
    external: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 3 }),
    service: fc.nat(),
    target: fc.constantFrom(...TARGETS),
    node: fc.nat(),
    traffic,
  })

const change = (durationMs: number): fc.Arbitrary<ChangePlan> =>
  fc.record({
    kind: fc.constantFrom(...CHANGES),
    atMs: fc.integer({ min: 500, max: Math.max(500, durationMs - 500) }),
    a: fc.nat(),
    // Node failure: how long until recovery (ms; beyond the run = never), any point of the control plane's reaction
    // (lease renewals 10 s, node Unknown and its pods not ready after 50 s, eviction after 300 s).
    b: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 10_000 }), weight: 5 },
      { arbitrary: fc.integer({ min: 10_000, max: 70_000 }), weight: 3 },
      { arbitrary: fc.integer({ min: 70_000, max: 400_000 }), weight: 1 },
    ),
    c: fc.nat(),
    edit: fc.option(service(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]), { freq: 1 }),
  })

/**
 * A random cluster: nodes, workloads, Services of every type, clients, changes. Most runs last 4–30 s of simulated
 * time; some 40–100 s, long enough for the node lifecycle controller to mark a failed node's pods not ready; a few
 * 300–420 s, through the eviction of its pods (clients stop at 30 s, to keep runs cheap).
 */
export const clusterPlan = (inputs: KnownDefectInputs = DEFAULT_INPUTS): fc.Arbitrary<ClusterPlan> =>
  fc
    .oneof(
      { arbitrary: fc.integer({ min: 4_000, max: 30_000 }), weight: 10 },
      { arbitrary: fc.integer({ min: 40_000, max: 100_000 }), weight: 2 },
      { arbitrary: fc.integer({ min: 300_000, max: 420_000 }), weight: 1 },
    )
    .chain((durationMs) =>
    fc.record({
      nodes: fc.integer({ min: 1, max: 4 }),
      lbAlgorithm: fc.constantFrom("random", "round-robin", "five-tuple-hash"),
      minSyncPeriodMs: fc.constantFrom(0, 500, 1_000, 1_000, 2_000),
      apps: fc.array(app, { minLength: 1, maxLength: 3 }),
      services: fc.array(service(SERVICE_TYPES), { minLength: 1, maxLength: 4 }),
      clients: fc.array(client, { minLength: 1, maxLength: 3 }),
      changes: fc.array(change(durationMs), { maxLength: 8 }),
      upstreamNames: fc.integer({ min: 0, max: 3 }),
      durationMs: fc.constant(durationMs),
      inputs: fc.constant(inputs),
    }),
  )

/** A plan and the simulator's seed (drawn like any other input, so a shrunk case replays as a kubesim run). */
export const generatedCase = (inputs: KnownDefectInputs = DEFAULT_INPUTS): fc.Arbitrary<GeneratedCase> =>
  fc.record({ plan: clusterPlan(inputs), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) })
