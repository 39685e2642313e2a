import { expect } from "vitest"
import { readFileSync } from "node:fs"
import { HttpClient, RequestLoop } from "../../../apps/index"
import type { RequestRecord } from "../../../records/index"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../../sim/index"
import type { Cluster } from "../cluster"
import { requestLabeller } from "../request-labeller"

export const S = NANOS_PER_SECOND
export const MS = NANOS_PER_MILLI

/** A seed manifest, read from disk as a user would `kubectl apply -f` it. */
export const seedManifest = (file: string): string => readFileSync(`/work/shared/seed/manifests/${file}`, "utf8")

export const applySeed = (c: Cluster, file: string): void => {
  c.apply(seedManifest(file), { file })
}

/** Request records of one client issued in [from, to). */
export const requestsOf = (c: Cluster, client: string, from = 0, to = Infinity): RequestRecord[] =>
  c.records.ofKind("request").filter((r) => r.client === client && r.t >= from && r.t < to)

/**
 * Starts `count` sequential GETs of `url` from a host outside the cluster (curl-like one-shot client),
 * `pause` apart; their records land in the cluster's log under the host's name.
 */
export const externalRequests = (c: Cluster, hostName: string, url: string, count: number, pause = 100 * MS): RequestLoop => {
  const host = c.externalHosts.get(hostName)
  if (host === undefined) throw new Error(`no external host ${hostName}`)
  const nodeByIp = new Map([...c.nodes.values()].map((n) => [n.ip, n.name] as const))
  const client = new HttpClient(host, c.env, {
    name: hostName,
    labeller: requestLabeller({ store: c.store, nodeByIp, nodeHost: (n) => c.fabric.node(n) }, null),
    connectTimeout: 3 * S,
  })
  return new RequestLoop(client, url, { pause, maxRequests: count }).start()
}

/** The seed's NodePort step: 5 GETs of `nodeIP:nodePort` from the external client through every node, all answered by web-service. */
export const expectNodePortServedByEveryNode = (c: Cluster, nodePort: number): void => {
  const t0 = c.sim.now
  for (const n of c.nodes.values()) externalRequests(c, "external-client", `http://${n.ip}:${nodePort}`, 5)
  c.runFor(10 * S)
  const reqs = requestsOf(c, "external-client", t0)
  expect(reqs).toHaveLength(5 * c.nodes.size)
  expect(reqs.every((r) => r.outcome === "ok" && r.service === "default/web-service")).toBe(true)
  expect(new Set(reqs.map((r) => r.node))).toEqual(new Set(c.nodes.keys()))
}

/** The seed's LoadBalancer step: 60 GETs of the LB address from the external client, all answered, by all 3 pods. */
export const expectLoadBalancerServes = (c: Cluster, ip: string): void => {
  const t0 = c.sim.now
  externalRequests(c, "external-client", `http://${ip}`, 60, 50 * MS)
  c.runFor(10 * S)
  const reqs = requestsOf(c, "external-client", t0)
  expect(reqs).toHaveLength(60)
  expect(reqs.every((r) => r.outcome === "ok" && r.service === "default/web-service-lb:webserver")).toBe(true)
  expect(new Set(reqs.map((r) => r.pod)).size).toBe(3)
}

/** Chi-square statistic of observed counts against expected proportions. */
export const chiSquare = (observed: ReadonlyArray<number>, expected: ReadonlyArray<number>): number => {
  const n = observed.reduce((a, b) => a + b, 0)
  let x = 0
  observed.forEach((o, i) => {
    const e = n * (expected[i] as number)
    x += ((o - e) * (o - e)) / e
  })
  return x
}

/** Upper tail of the chi-square distribution with 2 degrees of freedom: exactly exp(−x/2). */
export const chiSquarePValueDf2 = (x: number): number => Math.exp(-x / 2)

/** The first `rules` record on `node` at or after `t` whose shares satisfy `pred`. */
export const rulesCaughtUp = (c: Cluster, node: string, t: number, pred: (shares: Readonly<Record<string, Readonly<Record<string, number>>>>) => boolean): number | undefined =>
  c.records.ofKind("rules").find((r) => r.node === node && r.t >= t && pred(r.shares))?.t

/** A busybox pod running the seed's loop `while true; do wget -q -O - URL; sleep SLEEP; done`. */
export const wgetLoopPod = (name: string, url: string, sleep: string, restartPolicy?: "Never"): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:${restartPolicy === undefined ? "" : `\n  restartPolicy: ${restartPolicy}`}
  containers:
    - name: busybox
      image: busybox
      command: ["sh", "-c", "while true; do wget -q -O - ${url}; sleep ${sleep}; done"]
`

/** Pod `client` pinned to kind-worker, fetching http://web/ every 0.1 s (the topology tests' zone-a client). */
export const webClientOnKindWorker = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeSelector: {kubernetes.io/hostname: kind-worker}
  containers:
    - name: busybox
      image: busybox
      command: ["sh", "-c", "while true; do wget -q -O - http://web/; sleep 0.1; done"]
`

/**
 * Deployment `web` (nginx, `replicas`, optional pod-template annotations as a YAML flow map body) and Service `web`
 * on port 80 (optional `spec.trafficDistribution`).
 */
export const webDeploymentAndService = (o: { readonly replicas: number; readonly annotations?: string; readonly trafficDistribution?: string }): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${o.replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {${o.annotations ?? ""}}
    spec: {containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]${o.trafficDistribution === undefined ? "" : `\n  trafficDistribution: ${o.trafficDistribution}`}
`
