import { type Rng, api, type cluster, kubelet, type records } from "@kubesim/core"
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
    case "fail-liveness": {
      const pods = livePods(c, op.namespace, op.selector)
      for (const p of pods) failLiveness(c, p, source)
      if (pods.length === 0) action(c, "set-unhealthy", `Pod ${op.namespace}/-l ${formatSelector(op.selector)}`, `${source}: no live pod matched`)
      return
    }
  }
}

const killPod = (c: Cluster, namespace: string, name: string, grace: number | undefined, source: string): void => {
  action(c, "kill", `Pod ${namespace}/${name}`, source)
  c.delete("Pod", namespace, name, grace !== undefined ? { gracePeriodSeconds: grace } : {})
}

/**
 * The pod's application turns (un)ready where its readiness probe looks (nginx's probe path answers 503; an exec
 * probe's command fails): the kubelet's probes then flip the pod's Ready condition after failureThreshold ×
 * periodSeconds (successThreshold to come back), and the endpoints follow — the mechanism of a real flap.
 * Validation rejected targets without a readiness probe; a pod found mid-restart is recorded with the reason.
 */
const setReadiness = (c: Cluster, p: api.Pod, ready: boolean, source: string): void => {
  const ns = p.metadata.namespace ?? "default"
  let detail = source
  try {
    const set = c.setAppReadiness(ns, p.metadata.name, ready)
    if (set.length === 0) detail = `${source}: no container running`
  } catch (e) {
    if (!(e instanceof kubelet.AppReadinessError)) throw e
    detail = `${source}: ${e.message}`
  }
  action(c, ready ? "set-ready" : "set-not-ready", `Pod ${ns}/${p.metadata.name}`, detail)
}

/**
 * The pod's application turns unhealthy where its liveness probe looks (nginx's probe path answers 503; an exec
 * probe's command fails): after failureThreshold × periodSeconds the kubelet kills and restarts the container
 * (restart back-off, restartCount), and the new container starts healthy — a classic source of churn.
 */
const failLiveness = (c: Cluster, p: api.Pod, source: string): void => {
  const ns = p.metadata.namespace ?? "default"
  let detail = source
  try {
    if (c.setAppLiveness(ns, p.metadata.name, false).length === 0) detail = `${source}: no container running`
  } catch (e) {
    if (!(e instanceof kubelet.AppReadinessError)) throw e
    detail = `${source}: ${e.message}`
  }
  action(c, "set-unhealthy", `Pod ${ns}/${p.metadata.name}`, detail)
}
