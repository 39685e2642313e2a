/**
 * A random cluster as plain data: what the generator draws and fast-check shrinks. `scenarioOfPlan` turns a plan
 * into a scenario of the scenarios package's own format, so a failing plan prints as YAML `kubesim run` accepts.
 * Indices (an app, a service, a node) are resolved modulo what exists when the scenario is built, so every
 * shrunk plan is still a valid scenario.
 */

export const SERVICE_TYPES = ["ClusterIP", "Headless", "NodePort", "LoadBalancer", "ExternalName"] as const
export type ServiceKind = (typeof SERVICE_TYPES)[number]

/** A Deployment (or only bare pods when `replicas` is null) running nginx, labelled `app: app-<i>`. */
export interface AppPlan {
  /** 0: `default`, 1: `team-b` (its Services live there too; clients stay in `default`). */
  readonly namespace: number
  readonly replicas: number | null
  /** Bare Pods with the app's labels beside the Deployment's. */
  readonly barePods: number
  /** An httpGet readiness probe on nginx's port 80 (`setReadiness` and flaps need one). */
  readonly probe: { readonly periodSeconds: number; readonly failureThreshold: number } | null
  /** An httpGet liveness probe on nginx's port 80 (`liveness-fail` churn needs one): failures restart nginx. */
  readonly liveness: { readonly periodSeconds: number; readonly failureThreshold: number } | null
  readonly terminationGracePeriodSeconds: number
}

export interface PortPlan {
  /** Unnamed only when it is the Service's only port (the API requires names otherwise). */
  readonly named: boolean
  readonly port: number
  readonly protocol: "TCP" | "UDP"
  /** nginx's port by number or by the container port's name, or a port nothing listens on. */
  readonly target: "80" | "http" | "8080"
}

export interface ServicePlan {
  readonly kind: ServiceKind
  readonly app: number
  readonly ports: ReadonlyArray<PortPlan>
  /** ClientIP affinity with this timeoutSeconds (null: None). */
  readonly affinity: number | null
  readonly externalTrafficPolicy: "Cluster" | "Local"
  readonly internalTrafficPolicy: "Cluster" | "Local"
  /** Pin spec.clusterIP so clients can address it by IP (ClusterIP, NodePort, LoadBalancer). */
  readonly fixedClusterIP: boolean
  /** ExternalName: the upstream name it aliases. */
  readonly externalName: number
}

export const TARGETS = ["name", "fqdn", "clusterIP", "nodePort", "loadBalancer", "upstream"] as const
export type TargetKind = (typeof TARGETS)[number]

export interface TrafficPlan {
  readonly type: "loop" | "poisson" | "closed" | "ramp" | "burst"
  /** Requests per second (poisson, ramp's `to`, burst's background), users (closed), size (burst). */
  readonly intensity: number
  readonly pauseMs: number
  readonly connection: "one-shot" | "keep-alive" | "multiplexed" | null
  /** keep-alive / multiplexed: close a connection after this many requests (0: no limit). */
  readonly maxRequests: number
  readonly timeoutMs: number
  readonly startMs: number
}

export interface ClientPlan {
  /** In a busybox pod (scheduled anywhere) or on `external` hosts outside the cluster. */
  readonly external: number | null
  readonly service: number
  readonly target: TargetKind
  /** For nodePort targets: which node's IP. */
  readonly node: number
  readonly traffic: TrafficPlan
}

export const CHANGES = [
  "kill",
  "kill-pod",
  "scale",
  "rollout",
  "set-readiness",
  "node-failure",
  "edit-service",
  "delete-service",
  "recreate-service",
  "kill-pods-churn",
  "readiness-flap",
  "liveness-fail",
  "scale-churn",
  "rolling-update-churn",
  "node-failure-churn",
] as const
export type ChangeKind = (typeof CHANGES)[number]

/** One change at `atMs`; `a`, `b`, `c` are its parameters, read per kind (see scenarioOfPlan). */
export interface ChangePlan {
  readonly kind: ChangeKind
  readonly atMs: number
  readonly a: number
  readonly b: number
  readonly c: number
  /** A Service edit: the new shape of the Service (type kept within what an update may change). */
  readonly edit: ServicePlan | null
}

export interface ClusterPlan {
  readonly nodes: number
  /** How the cloud load balancer spreads new flows over healthy nodes. */
  readonly lbAlgorithm: "random" | "round-robin" | "five-tuple-hash"
  readonly minSyncPeriodMs: number
  readonly apps: ReadonlyArray<AppPlan>
  readonly services: ReadonlyArray<ServicePlan>
  readonly clients: ReadonlyArray<ClientPlan>
  readonly changes: ReadonlyArray<ChangePlan>
  /** Extra upstream DNS names (`ext-<i>.example.org`), some aliased by ExternalName Services. */
  readonly upstreamNames: number
  readonly durationMs: number
  /** Which known-defect inputs this plan may contain (see random-cluster.ts). */
  readonly inputs: { readonly nodeRecovery: boolean; readonly podUpstreamDns: boolean }
}

/** The plan and the simulator's seed: one generated case. */
export interface GeneratedCase {
  readonly plan: ClusterPlan
  readonly seed: number
}
