import { type Rng, api, type cluster, records } from "@kubesim/core"
import type { TimedOperation } from "../churn/timed-action"
import { formatSelector } from "../validate/prepare-scenario"

type Cluster = cluster.Cluster

const action = (c: Cluster, verb: string, object: string, detail: string | null): void =>
  c.records.append({ kind: "action", t: c.sim.now, actor: "scenario", verb, object, detail } satisfies records.ActionRecord)

/** Live (not terminating) pods of a namespace matching a label map, sorted by name. */
const livePods = (c: Cluster, namespace: string, selector: api.Labels): api.Pod[] =>
  c.store
    .list("Pod", { namespace })
    .filter((p) => p.metadata.deletionTimestamp === undefined && api.matchesLabels(selector, p.metadata.labels))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))

/**
 * Performs one timed operation on the cluster now, writing an `action` record with actor `scenario` (the Cluster
 * writes its own for fail/recover and delete). Targets that vanished by then (a pod already gone) are recorded
 * with the reason, not thrown: churn racing the controllers is what scenarios study.
 */
export const performOperation = (c: Cluster, op: TimedOperation, rng: Rng, source: string): void => {
  switch (op.op) {
    case "kill": {
      const pods = livePods(c, op.namespace, op.selector)
      if (pods.length === 0) return action(c, "kill", `Pod ${op.namespace}/-l ${formatSelector(op.selector)}`, `${source}: no live pod matched`)
      for (const p of rng.shuffle(pods).slice(0, op.count)) killPod(c, op.namespace, p.metadata.name, op.gracePeriodSeconds, source)
      return
    }
    case "kill-pod":
      return killPod(c, op.namespace, op.pod, op.gracePeriodSeconds, source)
    case "scale": {
      const d = c.store.get("Deployment", op.namespace, op.deployment)
      if (d === undefined) return action(c, "scale", `Deployment ${op.namespace}/${op.deployment}`, `${source}: not found`)
      const r = c.store.update({ ...d, spec: { ...d.spec, replicas: op.replicas } })
      return action(c, "scale", `Deployment ${op.namespace}/${op.deployment}`, r.ok ? `replicas ${d.spec.replicas} -> ${op.replicas}` : r.message)
    }
    case "rollout": {
      const d = c.store.get("Deployment", op.namespace, op.deployment)
      if (d === undefined) return action(c, "rollout", `Deployment ${op.namespace}/${op.deployment}`, `${source}: not found`)
      const t = d.spec.template
      const template: api.PodTemplateSpec =
        op.image !== undefined
          ? // `kubectl set image deployment/x *=IMAGE`: every container's image.
            { ...t, spec: { ...t.spec, containers: t.spec.containers.map((k) => ({ ...k, image: op.image as string })) } }
          : // `kubectl rollout restart`: the restartedAt annotation on the template (kubectl pkg/polymorphichelpers/objectrestarter.go).
            { ...t, metadata: { ...t.metadata, annotations: { ...(t.metadata?.annotations ?? {}), "kubectl.kubernetes.io/restartedAt": api.timestampAt(c.sim.now) } } }
      const r = c.store.update({ ...d, spec: { ...d.spec, template } })
      return action(c, "rollout", `Deployment ${op.namespace}/${op.deployment}`, r.ok ? (op.image !== undefined ? `image ${op.image}` : "restart") : r.message)
    }
    case "fail-node":
      return c.failNode(op.node)
    case "recover-node":
      return c.recoverNode(op.node)
    case "set-readiness": {
      const pods = op.pod !== undefined ? livePods(c, op.namespace, {}).filter((p) => p.metadata.name === op.pod) : livePods(c, op.namespace, op.selector ?? {})
      for (const p of pods) setReadiness(c, p, op.ready, source)
      if (pods.length === 0) action(c, op.ready ? "set-ready" : "set-not-ready", `Pod ${op.namespace}/${op.pod ?? `-l ${formatSelector(op.selector ?? {})}`}`, `${source}: no live pod matched`)
      return
    }
  }
}

const killPod = (c: Cluster, namespace: string, name: string, grace: number | undefined, source: string): void => {
  action(c, "kill", `Pod ${namespace}/${name}`, source)
  c.delete("Pod", namespace, name, grace !== undefined ? { gracePeriodSeconds: grace } : {})
}

/**
 * Forces a pod's readiness as its kubelet would report it: the Ready and ContainersReady conditions and every
 * container's `ready`. An approximation: the kubelet rewrites the status on its next change of this pod (a probe
 * result, a container exit), which ends the override early for pods with readiness probes.
 */
const setReadiness = (c: Cluster, p: api.Pod, ready: boolean, source: string): void => {
  const status = ready ? "True" : "False"
  const conditions = (p.status.conditions ?? []).map((k) => (k.type === "Ready" || k.type === "ContainersReady" ? { ...k, status, lastTransitionTime: api.timestampAt(c.sim.now) } : k)) as api.PodCondition[]
  const containerStatuses = (p.status.containerStatuses ?? []).map((s) => ({ ...s, ready }))
  c.store.update({ ...p, status: { ...p.status, conditions, containerStatuses } })
  action(c, ready ? "set-ready" : "set-not-ready", `Pod ${p.metadata.namespace ?? "default"}/${p.metadata.name}`, source)
}
