import { api } from "@kubesim/core"
import { formatScenarioIssues, type LoadedScenario, type Override, prepareScenario } from "@kubesim/scenarios"

/** The labels of the pods an object creates: a Pod's own, a workload's pod template's (Deployment, ReplicaSet, …). */
const podLabels = (o: api.KubeObject): api.Labels | undefined => {
  if (o.kind === "Pod") return o.metadata.labels ?? {}
  // Every workload kind keeps its pods' labels at spec.template.metadata.labels (Deployment, ReplicaSet, and the
  // StatefulSet, DaemonSet and Job of apps/v1 and batch/v1): read it structurally so new kinds are covered.
  const template = (o as { spec?: { template?: { metadata?: { labels?: api.Labels } } } }).spec?.template
  return template === undefined ? undefined : (template.metadata?.labels ?? {})
}

const formatLabels = (l: api.Labels): string =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(",")

/**
 * Services whose selector matches no pod and no pod template among the inputs (all manifests, every action's
 * included), in the same namespace: such a Service gets no endpoints, and a client of it is refused or times out.
 * kubectl applies it without a word; kubesim says so, as a linter would. A Service without a selector (endpoints
 * managed by hand) or of type ExternalName is left alone.
 */
export const servicesSelectingNothing = (objects: ReadonlyArray<api.DecodedManifest | { readonly object: api.KubeObject; readonly file: string; readonly line: number }>): string[] => {
  const pods = objects.flatMap((d) => {
    const labels = podLabels(d.object)
    return labels === undefined ? [] : [{ namespace: d.object.metadata.namespace ?? "default", labels }]
  })
  const out: string[] = []
  for (const d of objects) {
    const o = d.object
    if (o.kind !== "Service" || o.spec.type === "ExternalName") continue
    const selector = o.spec.selector
    if (selector === undefined || Object.keys(selector).length === 0) continue
    const ns = o.metadata.namespace ?? "default"
    if (pods.some((p) => p.namespace === ns && api.matchesLabels(selector, p.labels))) continue
    out.push(`Warning: Service ${ns}/${o.metadata.name} selects no pod: no Pod or pod template in namespace ${ns} has the labels ${formatLabels(selector)}, so it gets no endpoints (${d.file}:${d.line})`)
  }
  return out
}

/**
 * What `run` warns about before running (stderr; the run goes on, as `kubectl apply --validate=warn` does): the
 * manifests' unknown fields (`spec.selectr`) and Services that select nothing. The scenario is prepared here only
 * for its warnings; errors surface when the run prepares it again.
 */
export const scenarioWarnings = (loaded: LoadedScenario, variant: string, set: ReadonlyArray<Override>): string[] => {
  let prepared: ReturnType<typeof prepareScenario>
  try {
    prepared = prepareScenario(loaded, { variant, set })
  } catch {
    return []
  }
  const unknown = formatScenarioIssues(prepared.warnings)
    .split("\n")
    .filter((l) => l !== "")
  const objects = [...prepared.manifests, ...[...prepared.actionObjects.keys()].sort((a, b) => a - b).flatMap((k) => prepared.actionObjects.get(k) ?? [])]
  return [...unknown, ...servicesSelectingNothing(objects)]
}
