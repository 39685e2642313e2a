/**
 * Scenario generator for the scale benchmarks: plain manifests as a user would write them. `services`
 * Deployments of nginx (each `replicasOf(i)` replicas) with one ClusterIP Service each, and `clients` busybox pods
 * (spread by the scheduler over the nodes) each sending Poisson traffic to one Service by its DNS name.
 * Issue 13's walkthrough is `{ nodes, services, replicas: () => 5, clients: 1 }`.
 */
export interface GeneratedCluster {
  readonly nodes: number
  readonly services: number
  /** Replicas of the i-th Deployment (0-based); deterministic in i. */
  readonly replicasOf: (i: number) => number
  /** Busybox client pods; client j targets Service `svc-<j·services/clients>`. */
  readonly clients: number
  /** Requests per second of each client. */
  readonly rate: number
  /** When the clients start (after the cluster has settled). */
  readonly trafficStart: string
  readonly duration: string
  /** Pods per node the kubelet admits (cluster.maxPods), when the default 110 is too few. */
  readonly maxPods?: number
  /** Kill pods at this Poisson rate (per second) from `trafficStart`: churn. */
  readonly killRate?: number
  /** cluster.podCIDR, when the default /16 holds too few node /24s. */
  readonly podCIDR?: string
  /**
   * Pod templates' `enableServiceLinks` (default true). With thousands of Services in a namespace every container
   * would carry 8 variables per Service (kubernetes#92615); large clusters turn it off, as the ladder does.
   */
  readonly enableServiceLinks?: boolean
  /** When the clients stop issuing (default: the end of the run). */
  readonly trafficStop?: string
  /** Each client's request timeout (default 5s). */
  readonly timeout?: string
}

/** 5–15 endpoints per Service, spread evenly and deterministically (the ladder's "× 5–15 endpoints"). */
export const fiveToFifteen = (i: number): number => 5 + ((i * 7) % 11)

const deployment = (i: number, replicas: number, links: boolean): string => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web-${i}}
  template:
    metadata:
      labels: {app: web-${i}, tier: web}
    spec:${links ? "" : "\n      enableServiceLinks: false"}
      containers:
        - name: nginx
          image: nginx:1.25
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
spec:
  selector: {app: web-${i}}
  ports:
    - port: 80
      targetPort: 80
`

const clientPod = (j: number, links: boolean): string => `---
apiVersion: v1
kind: Pod
metadata:
  name: client-${j}
  labels: {run: client}
spec:${links ? "" : "\n  enableServiceLinks: false"}
  containers:
    - name: client
      image: busybox
      command: ["sh", "-c", "sleep 3600"]
`

const indent = (text: string, by: string): string =>
  text
    .split("\n")
    .map((l) => (l === "" ? l : by + l))
    .join("\n")

/** The manifests alone (one YAML stream). */
export const generateManifests = (g: GeneratedCluster): string => {
  const parts: string[] = []
  const links = g.enableServiceLinks !== false
  for (let i = 0; i < g.services; i++) parts.push(deployment(i, g.replicasOf(i), links))
  for (let j = 0; j < g.clients; j++) parts.push(clientPod(j, links))
  return parts.join("")
}

/** A whole scenario file (YAML text) for `kubesim run`. */
export const generateScenario = (g: GeneratedCluster): string => {
  const clients: string[] = []
  for (let j = 0; j < g.clients; j++) {
    const target = Math.floor((j * g.services) / g.clients)
    clients.push(`  - name: client-${j}
    pod: client-${j}
    traffic: {type: poisson, url: "http://svc-${target}/", rate: ${g.rate}, start: ${g.trafficStart}${g.trafficStop !== undefined ? `, stop: ${g.trafficStop}` : ""}, timeout: ${g.timeout ?? "5s"}}
`)
  }
  const churn =
    g.killRate === undefined
      ? ""
      : `churn:
  - {type: kill-pods, selector: {tier: web}, rate: ${g.killRate}, start: ${g.trafficStart}}
`
  return `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata:
  name: generated-${g.nodes}n-${g.services}s
  description: ${g.services} Deployments of nginx behind one ClusterIP Service each on ${g.nodes} nodes, ${g.clients} busybox client(s).
cluster:
  nodes: ${g.nodes}
${g.maxPods !== undefined ? `  maxPods: ${g.maxPods}\n` : ""}${g.podCIDR !== undefined ? `  podCIDR: ${g.podCIDR}\n` : ""}manifests:
  - inline: |
${indent(generateManifests(g), "      ")}
clients:
${clients.join("")}${churn}duration: ${g.duration}
seeds: [1]
`
}
