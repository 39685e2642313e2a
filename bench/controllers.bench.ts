/**
 * Control-plane scale: a Deployment behind a Service scaled from 1 to N pods on the controllers of
 * packages/core/src/k8s/controllers (Deployment, ReplicaSet, scheduler, EndpointSlice, node lifecycle, allocators)
 * with stand-in kubelets, run until every pod is Ready and the Service's slices hold them all. Reports simulated
 * events/s and the wall time of the whole scale-up; the cost per sync is what grows with N.
 */
import type { Benchmark } from "./registry"
import { testCluster, webDeployment, webService } from "../packages/core/src/k8s/controllers/test-support/cluster"
import { seconds } from "../packages/core/src/sim/index"

const scaleUp = (pods: number, nodes: number) => {
  const c = testCluster(1, nodes)
  c.apply(webDeployment(1))
  c.apply(webService())
  c.sim.run({ until: seconds(5) })
  const events0 = c.sim.eventsProcessed
  const t0 = performance.now()
  c.apply(webDeployment(pods))
  // Until quiescent (the fake kubelets' 10 s lease renewals keep the queue non-empty: bound by time instead).
  c.sim.run({ until: c.sim.now + seconds(120) })
  const wall = (performance.now() - t0) / 1000
  const ready = c.store.list("Pod").filter((p) => p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length
  let endpoints = 0
  for (const s of c.store.list("EndpointSlice")) if (s.metadata.labels?.["kubernetes.io/service-name"] === "web-service") endpoints += s.endpoints.length
  if (ready !== pods || endpoints !== pods) throw new Error(`controllers bench: ${ready} ready pods, ${endpoints} endpoints, wanted ${pods}`)
  return { events: c.sim.eventsProcessed - events0, seconds: wall, pods, nodes, slices: c.store.list("EndpointSlice").length }
}

/**
 * The scheduler at cluster size: `deployments` Deployments of `replicas` pods (no Services) created at once on
 * `nodes` stand-in nodes, run until every pod is bound and Ready. From 100 nodes a scheduling cycle filters only
 * `numFeasibleNodesToFind` nodes (420 of 1,000), as kube-scheduler's default percentageOfNodesToScore.
 */
const schedule = (nodes: number, deployments: number, replicas: number) => {
  const c = testCluster(1, nodes)
  c.sim.run({ until: seconds(1) })
  const events0 = c.sim.eventsProcessed
  const t0 = performance.now()
  const yaml: string[] = []
  for (let i = 0; i < deployments; i++) yaml.push(webDeployment(replicas).replaceAll("web-deploy", `web-${i}`).replaceAll("app: web", `app: web-${i}`))
  c.apply(yaml.join("\n---\n"))
  c.sim.run({ until: c.sim.now + seconds(60) })
  const wall = (performance.now() - t0) / 1000
  const pods = c.store.list("Pod")
  const ready = pods.filter((p) => p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length
  if (ready !== deployments * replicas) throw new Error(`controllers bench: ${ready} ready pods of ${deployments * replicas}`)
  return { events: c.sim.eventsProcessed - events0, seconds: wall, pods: ready, nodes, nodesUsed: new Set(pods.map((p) => p.spec.nodeName)).size }
}

export const benchmarks: Benchmark[] = [
  {
    name: "controllers: schedule 10,000 pods (100 Deployments) onto 1,000 nodes",
    about: "ReplicaSet syncs and one scheduling cycle per pod over 1,000 nodes until every pod is Ready",
    warmUp: () => void schedule(200, 10, 50),
    run: () => schedule(1_000, 100, 100),
  },
  {
    name: "controllers: scale a Deployment 1 → 1000 pods (12 nodes)",
    about: "Deployment/ReplicaSet/scheduler/EndpointSlice syncs until 1000 pods are Ready and in the Service's slices",
    warmUp: () => void scaleUp(100, 12),
    run: () => scaleUp(1000, 12),
  },
  {
    name: "controllers: scale a Deployment 1 → 250 pods (12 nodes)",
    about: "the same at a quarter of the size: the ratio of the two shows how sync cost grows with N",
    warmUp: () => void scaleUp(50, 12),
    run: () => scaleUp(250, 12),
  },
]
