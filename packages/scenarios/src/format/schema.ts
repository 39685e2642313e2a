import { net, parseDuration } from "@kubesim/core"
import { Schema } from "effect"

/**
 * The scenario format (`apiVersion: kubesim.dev/v1alpha1`, `kind: Scenario`) as effect Schemas: the one source of
 * truth for the YAML decoder, the TypeScript API (`Scenario` is `Schema.Type` of it) and `--set` overrides, which
 * re-decode the document so an override is type-checked exactly like the file. Values stay as written (durations
 * are Go-style strings, selectors label maps): the resolved scenario in run.json then reads like its YAML.
 */

const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optionalWith(s, { exact: true })

/** True for a Go duration string, else why not (the kernel's `parseDuration` message). */
const durationCheck = (s: string): true | string => {
  try {
    parseDuration(s)
    return true
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

/** A Go duration string (`1s`, `250ms`, `1m30s`), checked with the kernel's `parseDuration`. */
export const DurationText = Schema.String.pipe(Schema.filter(durationCheck, { identifier: 'duration (Go syntax, e.g. "1s", "250ms", "1m30s")' }))

const NonNegative = Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n >= 0, { identifier: "number ≥ 0" }))
const Positive = Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n > 0, { identifier: "number > 0" }))
const Count = Schema.Number.pipe(Schema.filter((n) => Number.isSafeInteger(n) && n >= 1, { identifier: "integer ≥ 1" }))
const Replicas = Schema.Number.pipe(Schema.filter((n) => Number.isSafeInteger(n) && n >= 0, { identifier: "integer ≥ 0" }))
const Probability = Schema.Number.pipe(Schema.filter((n) => n >= 0 && n <= 1, { identifier: "probability in [0, 1]" }))
const Seed = Schema.Number.pipe(Schema.filter((n) => Number.isSafeInteger(n) && n >= 0, { identifier: "seed (integer ≥ 0)" }))
const Name = Schema.String.pipe(Schema.filter((s) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s), { identifier: "name (lower-case letters, digits, '-' and '.')" }))
const Cidr = Schema.String.pipe(
  Schema.filter((s) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.test(s) && s.split(/[./]/).every((p, i) => Number(p) <= (i === 4 ? 32 : 255)), {
    identifier: 'IPv4 CIDR (e.g. "10.244.0.0/16")',
  }),
)
const Ipv4Text = Schema.String.pipe(
  Schema.filter((s) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((p) => Number(p) <= 255), { identifier: 'IPv4 address (e.g. "93.184.216.34")' }),
)
const Port = Schema.Number.pipe(Schema.filter((n) => Number.isInteger(n) && n >= 1 && n <= 65535, { identifier: "port (integer 1-65535)" }))
/** A label value (k8s.io/apimachinery validation IsValidLabelValue: ≤ 63 chars, alphanumeric ends, `-_.` inside). */
const ZoneName = Schema.String.pipe(
  Schema.filter((s) => s.length >= 1 && s.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s), { identifier: "zone name (a label value, e.g. us-east-1a)" }),
)
/** matchLabels: the only selector form a scenario needs (kubectl's `-l app=web`). */
export const Selector = Schema.Record({ key: Schema.String, value: Schema.String }).annotations({ identifier: "label map (e.g. {app: web})" })

// ---------------------------------------------------------------- cluster

export const NodeSpec = Schema.Struct({
  name: Name,
  labels: opt(Schema.Record({ key: Schema.String, value: Schema.String })),
})

export const ProxyMode = Schema.Literal("iptables", "nftables", "ipvs")

/**
 * IPVS schedulers the kernel has (net/netfilter/ipvs/ip_vs_*.c) that kubesim does not model, with what they do.
 * kube-proxy's validateIPVSSchedulerMethod (pkg/proxy/apis/config/validation) listed rr, wrr, lc, wlc, lblc, lblcr,
 * sh, dh, sed and nq (types.go IPVSSchedulerMethod); fo, ovf, mh and twos are the kernel's newer ones.
 */
export const IPVS_SCHEDULERS_NOT_MODELLED: Readonly<Record<string, string>> = {
  wlc: "weighted least-connection",
  lblc: "locality-based least-connection",
  lblcr: "locality-based least-connection with replication",
  dh: "destination hashing",
  sed: "shortest expected delay",
  nq: "never queue",
  fo: "weighted failover",
  ovf: "weighted overflow",
  mh: "maglev hashing",
  twos: "weighted random twos choice",
}

const modelledSchedulers = net.IPVS_SCHEDULERS.join(", ")

/**
 * KubeProxyIPVSConfiguration.scheduler: one of the schedulers kubesim models; "" is upstream's "the default
 * algorithm (currently rr)" (pkg/proxy/apis/config/validation validateIPVSSchedulerMethod; ipvs/proxier.go
 * NewProxier sets rr when empty).
 */
export const IpvsSchedulerName = Schema.String.pipe(
  Schema.filter(
    (s) => {
      if (s === "" || (net.IPVS_SCHEDULERS as ReadonlyArray<string>).includes(s)) return true
      const what = IPVS_SCHEDULERS_NOT_MODELLED[s]
      if (what !== undefined) return `${s} (${what}, ip_vs_${s}.c) is a kernel IPVS scheduler kubesim does not model; modelled: ${modelledSchedulers}`
      return `not an IPVS scheduler; the kernel's are ${[...net.IPVS_SCHEDULERS, ...Object.keys(IPVS_SCHEDULERS_NOT_MODELLED)].join(", ")}, of which kubesim models ${modelledSchedulers}`
    },
    { identifier: `IPVS scheduler (${net.IPVS_SCHEDULERS.slice(0, -1).join(", ")} or ${net.IPVS_SCHEDULERS[net.IPVS_SCHEDULERS.length - 1]})` },
  ),
)

/**
 * An IPVS timeout (`ipvsadm --set tcp tcpfin udp`): a duration ≥ 0, where 0 leaves the kernel's value
 * (pkg/proxy/apis/config/validation validateIPVSTimeout: "must be greater than or equal to 0").
 */
export const IpvsTimeoutText = Schema.String.pipe(
  Schema.filter(
    (s) => (s.startsWith("-") ? "must be greater than or equal to 0 (kube-proxy's IPVS timeouts; 0 keeps the kernel's)" : durationCheck(s)),
    { identifier: 'duration ≥ 0 (Go syntax, e.g. "900s", "15m"; 0 keeps the kernel\'s)' },
  ),
)

/**
 * KubeProxyIPVSConfiguration's fields kubesim models (pkg/proxy/apis/config/types.go; v1alpha1 leaves them
 * unset: scheduler "" → rr, timeouts 0 → the kernel's 900 s / 120 s / 300 s). Only valid with `proxyMode: ipvs`.
 */
export const IpvsSpec = Schema.Struct({
  scheduler: opt(IpvsSchedulerName),
  /** Idle TCP connections (ESTABLISHED): `--ipvs-tcp-timeout`. */
  tcpTimeout: opt(IpvsTimeoutText),
  /** TCP connections after a FIN (FIN_WAIT): `--ipvs-tcpfin-timeout`. */
  tcpFinTimeout: opt(IpvsTimeoutText),
  /** UDP "connections": `--ipvs-udp-timeout`. */
  udpTimeout: opt(IpvsTimeoutText),
})

/** One link class: one-way latency, uniform jitter ± around it, loss probability per packet. */
export const LinkSettings = Schema.Struct({
  latency: opt(DurationText),
  jitter: opt(DurationText),
  loss: opt(Probability),
})

/**
 * Link settings. The top-level `latency`/`jitter`/`loss` are the nodes' network (node ⇄ node and node ⇄ external
 * host); the classes refine it: `veth` (pod ⇄ node), `nodes` (node ⇄ node in one zone), `crossZone` (node ⇄ node
 * in different zones; default `nodes`), `external` (node ⇄ external clients and servers, the LB, the upstream DNS).
 */
export const NetworkSpec = Schema.Struct({
  ...LinkSettings.fields,
  veth: opt(LinkSettings),
  nodes: opt(LinkSettings),
  crossZone: opt(LinkSettings),
  external: opt(LinkSettings),
})

export const LoadBalancerSpec = Schema.Struct({
  /** The cloud load balancer's address pool (LoadBalancer ingress IPs come from it). */
  pool: opt(Cidr),
  algorithm: opt(Schema.Literal("random", "round-robin", "five-tuple-hash")),
})

export const UpstreamDnsSpec = Schema.Struct({
  /** A records of the world outside the cluster: name → IPv4. */
  records: opt(Schema.Record({ key: Schema.String, value: Schema.String })),
})

/** A web server outside the cluster (kubesim's built-in HTTP app) at `ip:port`: what an upstream DNS record points at. */
export const ExternalServerSpec = Schema.Struct({
  name: Name,
  ip: Ipv4Text,
  port: opt(Port),
})

export const ClusterSpec = Schema.Struct({
  /** Worker nodes: a count (named like kind's: `kind-worker`, `kind-worker2`, …) or a list. */
  nodes: opt(Schema.Union(Count, Schema.Array(NodeSpec))),
  podCIDR: opt(Cidr),
  serviceCIDR: opt(Cidr),
  /** kubelet `--max-pods` on every node (default 110): its pods capacity, which the scheduler enforces. */
  maxPods: opt(Count),
  proxyMode: opt(ProxyMode),
  /** kube-proxy's IPVS options (KubeProxyIPVSConfiguration); only with `proxyMode: ipvs`. */
  ipvs: opt(IpvsSpec),
  /** Controller and component delays by name (e.g. `minSyncPeriod: 1s`), passed to the core's Cluster. */
  delays: opt(Schema.Record({ key: Schema.String, value: DurationText })),
  network: opt(NetworkSpec),
  /** Zones dealt round-robin to the nodes as `topology.kubernetes.io/zone` (a node's own label wins). */
  zones: opt(Schema.Array(ZoneName)),
  loadBalancer: opt(LoadBalancerSpec),
  upstreamDns: opt(UpstreamDnsSpec),
  externalServers: opt(Schema.Array(ExternalServerSpec)),
})

// ---------------------------------------------------------------- manifests

/** A manifest: a file (relative to the scenario file) or inline YAML text (one or more documents). */
export const ManifestRef = Schema.Union(Schema.Struct({ file: Schema.String }), Schema.Struct({ inline: Schema.String })).annotations({
  identifier: "manifest ({file: path} or {inline: yaml})",
})

// ---------------------------------------------------------------- clients and traffic

export const ConnectionSpec = Schema.Struct({
  mode: Schema.Literal("one-shot", "keep-alive", "multiplexed"),
  maxRequests: opt(Count),
  maxAge: opt(DurationText),
})

const trafficCommon = {
  url: Schema.String,
  /** When the generator starts (default 0s) and stops issuing (default: the end of the run). */
  start: opt(DurationText),
  stop: opt(DurationText),
  connection: opt(ConnectionSpec),
  /** Give up on a connect or a response after this long (default: busybox wget's 900 s and the kernel's SYN retries). */
  timeout: opt(DurationText),
}

/** The seed's `while true; do wget …; sleep 1; done`: the next request starts `pause` after the previous ends. */
export const LoopTraffic = Schema.Struct({ type: Schema.Literal("loop"), pause: opt(DurationText), ...trafficCommon })
/** Open loop: Poisson arrivals at `rate` requests per second, whatever the responses do. */
export const PoissonTraffic = Schema.Struct({ type: Schema.Literal("poisson"), rate: Positive, ...trafficCommon })
/** Closed loop: `users` users, each issuing a request, waiting for it, thinking, again. */
export const ClosedTraffic = Schema.Struct({
  type: Schema.Literal("closed"),
  users: Count,
  think: DurationText,
  /** Think times constant or exponential with mean `think` (default exponential). */
  thinkDistribution: opt(Schema.Literal("constant", "exponential")),
  ...trafficCommon,
})
/** Poisson arrivals whose rate goes linearly from `from` to `to` over `over` (then stays at `to`). */
export const RampTraffic = Schema.Struct({ type: Schema.Literal("ramp"), from: NonNegative, to: NonNegative, over: DurationText, ...trafficCommon })
/** `size` requests every `every`, spread evenly over `spread` (default all at once), on top of Poisson `rate` (default 0). */
export const BurstTraffic = Schema.Struct({
  type: Schema.Literal("burst"),
  size: Count,
  every: DurationText,
  spread: opt(DurationText),
  rate: opt(NonNegative),
  ...trafficCommon,
})
export const TrafficSpec = Schema.Union(LoopTraffic, PoissonTraffic, ClosedTraffic, RampTraffic, BurstTraffic)
export const TRAFFIC_TYPES = ["loop", "poisson", "closed", "ramp", "burst"] as const

export const ExternalClients = Schema.Struct({
  /** Distinct external hosts, each with its own source IP from `cidr`. */
  count: Count,
  cidr: opt(Cidr),
})

export const ClientSpec = Schema.Struct({
  name: Name,
  /** Run from this pod (created by the scenario's manifests): its own IP, its node's kube-proxy rules. */
  pod: opt(Schema.String),
  namespace: opt(Schema.String),
  /** Run from hosts outside the cluster (for NodePort and LoadBalancer). */
  external: opt(ExternalClients),
  traffic: TrafficSpec,
})

// ---------------------------------------------------------------- actions

export const ObjectRef = Schema.Struct({ kind: Schema.String, name: Schema.String, namespace: opt(Schema.String) })
export const ScaleAction = Schema.Struct({ deployment: Schema.String, namespace: opt(Schema.String), replicas: Replicas })
export const KillAction = Schema.Struct({
  pod: opt(Schema.String),
  selector: opt(Selector),
  namespace: opt(Schema.String),
  /** Pods to kill among those the selector matches (chosen at random; default 1). */
  count: opt(Count),
  /** Delete with this grace period (default the pod's terminationGracePeriodSeconds); 0 kills at once. */
  gracePeriodSeconds: opt(Replicas),
})
export const RolloutAction = Schema.Struct({
  deployment: Schema.String,
  namespace: opt(Schema.String),
  /** A new image for every container (`kubectl set image`); without it, `kubectl rollout restart`. */
  image: opt(Schema.String),
})
export const ReadinessAction = Schema.Struct({
  pod: opt(Schema.String),
  selector: opt(Selector),
  namespace: opt(Schema.String),
  ready: Schema.Boolean,
})

/** One timed action: `at`, an optional phase label, and exactly one verb (checked after decoding). */
export const ActionSpec = Schema.Struct({
  at: DurationText,
  /** A phase label that begins at `at` (written as a `phase` record, stamped on later requests). */
  phase: opt(Schema.String),
  apply: opt(ManifestRef),
  delete: opt(Schema.Union(ManifestRef, ObjectRef)),
  scale: opt(ScaleAction),
  kill: opt(KillAction),
  rollout: opt(RolloutAction),
  failNode: opt(Schema.String),
  recoverNode: opt(Schema.String),
  setReadiness: opt(ReadinessAction),
})
export const ACTION_VERBS = ["apply", "delete", "scale", "kill", "rollout", "failNode", "recoverNode", "setReadiness"] as const
export type ActionVerb = (typeof ACTION_VERBS)[number]

// ---------------------------------------------------------------- churn

const churnWindow = { start: opt(DurationText), stop: opt(DurationText) }

/** Kill pods matching `selector` at a Poisson `rate` per second, or at the listed times. */
export const KillPodsChurn = Schema.Struct({
  type: Schema.Literal("kill-pods"),
  selector: Selector,
  namespace: opt(Schema.String),
  rate: opt(Positive),
  schedule: opt(Schema.Array(DurationText)),
  gracePeriodSeconds: opt(Replicas),
  ...churnWindow,
})
/** A rollout of `deployment` every `every` (a restart, or alternating `images`). */
export const RollingUpdateChurn = Schema.Struct({
  type: Schema.Literal("rolling-update"),
  deployment: Schema.String,
  namespace: opt(Schema.String),
  every: opt(DurationText),
  at: opt(Schema.Array(DurationText)),
  images: opt(Schema.Array(Schema.String)),
  ...churnWindow,
})
/** Scale `deployment` at the listed times. */
export const ScaleChurn = Schema.Struct({
  type: Schema.Literal("scale"),
  deployment: Schema.String,
  namespace: opt(Schema.String),
  schedule: Schema.Array(Schema.Struct({ at: DurationText, replicas: Replicas })),
})
/** `node` fails at `at` (or at Poisson `rate`) and recovers `recoverAfter` later (default never). */
export const NodeFailureChurn = Schema.Struct({
  type: Schema.Literal("node-failure"),
  node: Schema.String,
  at: opt(Schema.Array(DurationText)),
  rate: opt(Positive),
  recoverAfter: opt(DurationText),
  ...churnWindow,
})
/** Pods matching `selector` go not-ready for `down` every `period`. */
export const ReadinessFlapChurn = Schema.Struct({
  type: Schema.Literal("readiness-flap"),
  selector: Selector,
  namespace: opt(Schema.String),
  period: DurationText,
  down: DurationText,
  ...churnWindow,
})
/** The app in pods matching `selector` turns unhealthy every `period`: its liveness probe fails, the kubelet restarts it. */
export const LivenessFailChurn = Schema.Struct({
  type: Schema.Literal("liveness-fail"),
  selector: Selector,
  namespace: opt(Schema.String),
  period: DurationText,
  ...churnWindow,
})
export const ChurnSpec = Schema.Union(KillPodsChurn, RollingUpdateChurn, ScaleChurn, NodeFailureChurn, ReadinessFlapChurn, LivenessFailChurn)
export const CHURN_TYPES = ["kill-pods", "rolling-update", "scale", "node-failure", "readiness-flap", "liveness-fail"] as const

// ---------------------------------------------------------------- the scenario

export const VariantSpec = Schema.Struct({
  name: Name,
  description: opt(Schema.String),
  /** Dotted-path overrides of this document (`cluster.proxyMode: nftables`), type-checked like `--set`. */
  set: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
})

export const ScenarioSchema = Schema.Struct({
  apiVersion: Schema.Literal("kubesim.dev/v1alpha1"),
  kind: Schema.Literal("Scenario"),
  metadata: Schema.Struct({ name: Name, description: opt(Schema.String) }),
  cluster: opt(ClusterSpec),
  manifests: opt(Schema.Array(ManifestRef)),
  clients: opt(Schema.Array(ClientSpec)),
  actions: opt(Schema.Array(ActionSpec)),
  churn: opt(Schema.Array(ChurnSpec)),
  duration: DurationText,
  seeds: opt(Schema.Array(Seed)),
  variants: opt(Schema.Array(VariantSpec)),
})

export type Scenario = Schema.Schema.Type<typeof ScenarioSchema>
export type ClusterSpec = Schema.Schema.Type<typeof ClusterSpec>
export type NodeSpec = Schema.Schema.Type<typeof NodeSpec>
export type NetworkSpec = Schema.Schema.Type<typeof NetworkSpec>
export type LinkSettings = Schema.Schema.Type<typeof LinkSettings>
export type ManifestRef = Schema.Schema.Type<typeof ManifestRef>
export type ClientSpec = Schema.Schema.Type<typeof ClientSpec>
export type TrafficSpec = Schema.Schema.Type<typeof TrafficSpec>
export type ConnectionSpec = Schema.Schema.Type<typeof ConnectionSpec>
export type ActionSpec = Schema.Schema.Type<typeof ActionSpec>
export type ObjectRef = Schema.Schema.Type<typeof ObjectRef>
export type KillAction = Schema.Schema.Type<typeof KillAction>
export type ReadinessAction = Schema.Schema.Type<typeof ReadinessAction>
export type ChurnSpec = Schema.Schema.Type<typeof ChurnSpec>
export type VariantSpec = Schema.Schema.Type<typeof VariantSpec>
export type ProxyMode = Schema.Schema.Type<typeof ProxyMode>
export type IpvsSpec = Schema.Schema.Type<typeof IpvsSpec>
export type LabelMap = Schema.Schema.Type<typeof Selector>
