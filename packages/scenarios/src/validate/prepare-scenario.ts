import { type Nanos, api, cluster, kubelet, parseDuration } from "@kubesim/core"
import type { LoadedScenario } from "../format/load-scenario"
import type { ActionSpec, LabelMap, ManifestRef, Scenario } from "../format/schema"
import { type ScenarioIssue, ScenarioError, issueWithMessage } from "../format/scenario-issue"
import { pathText } from "../format/schema-problems"
import type { PathSegment } from "../format/yaml-source"
import { type Override, applyOverrides, variantOverrides } from "../overrides/apply-overrides"
import { type ScenarioNode, scenarioNodes } from "./cluster-nodes"
import { readManifest } from "./manifest-texts"

/** The objects of one manifest reference, decoded and defaulted by the core's decoder. */
export type DecodedObjects = ReadonlyArray<api.DecodedManifest>

/** A scenario ready to run: variant and overrides applied, every file read, every object decoded, every reference checked. */
export interface PreparedScenario {
  /** The scenario after the variant and `--set` overrides, manifests as written. */
  readonly scenario: Scenario
  /** The same with every manifest file inlined: what run.json records as `resolved`. */
  readonly resolved: Scenario
  readonly variant: string
  readonly file: string
  readonly duration: Nanos
  readonly nodes: ReadonlyArray<ScenarioNode>
  /** The objects of `manifests`, in order: applied at time 0. */
  readonly manifests: DecodedObjects
  /** Per action index, the objects of its `apply` or `delete` manifest. */
  readonly actionObjects: ReadonlyMap<number, DecodedObjects>
  /** Manifest warnings (unknown fields): reported, not fatal, as with `kubectl apply --validate=warn`. */
  readonly warnings: ReadonlyArray<ScenarioIssue>
}

export interface PrepareOptions {
  /** A variant name from `variants` (`default` or undefined: the scenario as written). */
  readonly variant?: string
  /** `--set` overrides, applied after the variant's. */
  readonly set?: ReadonlyArray<Override>
}

/** Something a selector or a name can point at: a pod the scenario creates, directly or through a workload. */
interface PodSource {
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
  readonly pod?: string
  /** `Pod ns/name` or `Deployment ns/name`: where the pods come from, for messages. */
  readonly origin: string
  readonly containers: ReadonlyArray<api.Container>
}

/**
 * Everything that can be known before the run: overrides type-check, manifests decode (the core's messages with
 * file and document), every action's time falls inside the run, selectors match pods the scenario creates,
 * named pods, deployments, objects and nodes exist. Throws ScenarioError with every issue found.
 */
export const prepareScenario = (loaded: LoadedScenario, options: PrepareOptions = {}): PreparedScenario => {
  const variant = options.variant ?? "default"
  const overrides = [...(variant === "default" ? [] : variantOverrides(loaded.scenario, variant)), ...(options.set ?? [])]
  const scenario = overrides.length === 0 ? loaded.scenario : applyOverrides(loaded.scenario, overrides)
  const file = loaded.file
  const issues: ScenarioIssue[] = []
  const warnings: ScenarioIssue[] = []
  const add = (path: ReadonlyArray<PathSegment>, expected: string, found: string, message: string) =>
    issues.push(issueWithMessage(file, pathText(path), expected, found, message))

  const decodeRef = (ref: ManifestRef, at: ReadonlyArray<PathSegment>): { objects: DecodedObjects; inline: ManifestRef } | undefined => {
    const m = readManifest(ref, loaded.baseDir, file, at, issues)
    if (m === undefined) return undefined
    const r = api.decodeManifests(m.text, { file: m.label })
    for (const e of r.errors) issues.push(manifestIssue(e))
    for (const w of r.warnings) warnings.push(manifestIssue(w))
    if (r.objects.length === 0 && r.errors.length === 0) add(at, "at least one object", "an empty manifest", `manifest ${m.label} holds no object`)
    return { objects: r.objects, inline: { inline: m.text } }
  }

  const duration = parseDuration(scenario.duration)
  if (duration === 0) add(["duration"], "a duration > 0", scenario.duration, "duration must be longer than 0s")
  const nodes = scenarioNodes(scenario.cluster)
  const nodeNames = new Set<string>()
  nodes.forEach((n, i) => {
    if (nodeNames.has(n.name)) add(["cluster", "nodes", i, "name"], "a unique node name", n.name, `duplicate node name "${n.name}"`)
    nodeNames.add(n.name)
  })

  const manifests: api.DecodedManifest[] = []
  const inlinedManifests: ManifestRef[] = []
  ;(scenario.manifests ?? []).forEach((ref, i) => {
    const d = decodeRef(ref, ["manifests", i])
    if (d !== undefined) {
      manifests.push(...d.objects)
      inlinedManifests.push(d.inline)
    } else inlinedManifests.push(ref)
  })
  const actionObjects = new Map<number, DecodedObjects>()
  const inlinedActions: ActionSpec[] = []
  ;(scenario.actions ?? []).forEach((a, i) => {
    let out = a
    const ref = a.apply ?? (a.delete !== undefined && !("kind" in a.delete) ? a.delete : undefined)
    if (ref !== undefined) {
      const d = decodeRef(ref, ["actions", i, a.apply !== undefined ? "apply" : "delete"])
      if (d !== undefined) {
        actionObjects.set(i, d.objects)
        out = a.apply !== undefined ? { ...a, apply: d.inline } : { ...a, delete: d.inline }
      }
    }
    inlinedActions.push(out)
    if (parseDuration(a.at) > duration) add(["actions", i, "at"], `a time within the run (≤ ${scenario.duration})`, a.at, `action at ${a.at} is after the end of the run (${scenario.duration})`)
  })

  // What the scenario creates, at any time: the reference checks below look here.
  const created: api.KubeObject[] = [...manifests, ...[...actionObjects.entries()].filter(([i]) => scenario.actions?.[i]?.apply !== undefined).flatMap(([, o]) => o)].map((d) => d.object)
  const podSources: PodSource[] = []
  for (const o of created) {
    const ns = o.metadata.namespace ?? api.DEFAULT_NAMESPACE
    const origin = `${o.kind} ${ns}/${o.metadata.name}`
    if (o.kind === "Pod") podSources.push({ namespace: ns, labels: o.metadata.labels ?? {}, pod: o.metadata.name, origin, containers: o.spec.containers })
    else if (o.kind === "Deployment" || o.kind === "ReplicaSet") podSources.push({ namespace: ns, labels: o.spec.template.metadata?.labels ?? {}, origin, containers: o.spec.template.spec.containers })
  }
  // The built-in HTTP app's kubesim.dev/* annotations: a bad value is an error before the run, with file and line.
  for (const d of [...manifests, ...[...actionObjects.values()].flat()]) {
    const o = d.object
    const annotations = o.kind === "Pod" ? o.metadata.annotations : o.kind === "Deployment" || o.kind === "ReplicaSet" ? o.spec.template.metadata?.annotations : undefined
    try {
      cluster.appTuningOf(annotations)
    } catch (e) {
      if (!(e instanceof cluster.AppAnnotationError)) throw e
      const where = `${o.kind} ${o.metadata.namespace ?? api.DEFAULT_NAMESPACE}/${o.metadata.name}`
      issues.push(issueWithMessage(d.file, where, "a kubesim.dev/* app annotation kubesim understands", "", e.message, { line: d.line, column: 1 }))
    }
  }
  const nsOf = (ns: string | undefined) => ns ?? api.DEFAULT_NAMESPACE
  const checkPod = (path: ReadonlyArray<PathSegment>, name: string, ns: string | undefined) => {
    if (!podSources.some((p) => p.pod === name && p.namespace === nsOf(ns)))
      add(path, "a pod the scenario creates", name, `pod "${nsOf(ns)}/${name}" is not created by any manifest of the scenario`)
  }
  const checkSelector = (path: ReadonlyArray<PathSegment>, sel: LabelMap, ns: string | undefined) => {
    if (Object.keys(sel).length === 0) return add(path, "a non-empty selector", "{}", "an empty selector would match every pod; name the labels")
    if (!podSources.some((p) => p.namespace === nsOf(ns) && api.matchesLabels(sel, p.labels)))
      add(path, "a selector matching pods the scenario creates", formatSelector(sel), `selector ${formatSelector(sel)} matches no pod the scenario creates in namespace "${nsOf(ns)}"`)
  }
  // A readiness change goes through the app and the kubelet's probe (Kubelet.setAppReadiness): a pod without a
  // readiness probe is Ready whenever its containers run and cannot flap.
  const checkProbed = (path: ReadonlyArray<PathSegment>, what: string, sources: ReadonlyArray<PodSource>, type: "readiness" | "liveness" = "readiness") => {
    for (const src of sources) {
      if (src.containers.some((c) => appCanFailProbe(type === "readiness" ? c.readinessProbe : c.livenessProbe, c))) continue
      const why =
        type === "readiness"
          ? "a pod without a readiness probe is Ready whenever its containers run and cannot flap (add a readinessProbe: httpGet on nginx's port 80, or exec)"
          : "without a liveness probe the kubelet never restarts a container for its health (add a livenessProbe: httpGet on nginx's port 80, or exec)"
      add(path, `pods with a ${type} probe their app can fail (httpGet on an nginx container's port 80, or exec)`, `${src.origin} without one`, `${what} selects pods of ${src.origin}, which have no ${type} probe their app can fail: ${why}`)
    }
  }
  const podsNamed = (name: string, ns: string | undefined) => podSources.filter((p) => p.pod === name && p.namespace === nsOf(ns))
  const podsSelected = (sel: LabelMap, ns: string | undefined) =>
    Object.keys(sel).length === 0 ? [] : podSources.filter((p) => p.namespace === nsOf(ns) && api.matchesLabels(sel, p.labels))
  const checkDeployment = (path: ReadonlyArray<PathSegment>, name: string, ns: string | undefined) => {
    if (!created.some((o) => o.kind === "Deployment" && o.metadata.name === name && (o.metadata.namespace ?? api.DEFAULT_NAMESPACE) === nsOf(ns)))
      add(path, "a Deployment the scenario creates", name, `deployment "${nsOf(ns)}/${name}" is not created by any manifest of the scenario`)
  }
  const checkNode = (path: ReadonlyArray<PathSegment>, name: string) => {
    if (!nodeNames.has(name)) add(path, `a node of the cluster (${[...nodeNames].join(", ")})`, name, `no node "${name}" in the cluster (nodes: ${[...nodeNames].join(", ")})`)
  }

  ;(scenario.clients ?? []).forEach((c, i) => {
    if (c.pod !== undefined) checkPod(["clients", i, "pod"], c.pod, c.namespace)
    if (!/^https?:\/\/[^/\s]+/.test(c.traffic.url)) add(["clients", i, "traffic", "url"], 'an http URL (e.g. "http://web-service/")', c.traffic.url, `not an http URL: ${JSON.stringify(c.traffic.url)}`)
    checkWindow(["clients", i, "traffic"], c.traffic.start, c.traffic.stop, duration, add)
  })
  ;(scenario.actions ?? []).forEach((a, i) => {
    const p = (...rest: PathSegment[]): PathSegment[] => ["actions", i, ...rest]
    if (a.scale !== undefined) checkDeployment(p("scale", "deployment"), a.scale.deployment, a.scale.namespace)
    if (a.rollout !== undefined) checkDeployment(p("rollout", "deployment"), a.rollout.deployment, a.rollout.namespace)
    if (a.kill?.pod !== undefined) checkPod(p("kill", "pod"), a.kill.pod, a.kill.namespace)
    if (a.kill?.selector !== undefined) checkSelector(p("kill", "selector"), a.kill.selector, a.kill.namespace)
    if (a.setReadiness?.pod !== undefined) {
      checkPod(p("setReadiness", "pod"), a.setReadiness.pod, a.setReadiness.namespace)
      checkProbed(p("setReadiness", "pod"), `setReadiness of pod ${a.setReadiness.pod}`, podsNamed(a.setReadiness.pod, a.setReadiness.namespace))
    }
    if (a.setReadiness?.selector !== undefined) {
      checkSelector(p("setReadiness", "selector"), a.setReadiness.selector, a.setReadiness.namespace)
      checkProbed(p("setReadiness", "selector"), `setReadiness -l ${formatSelector(a.setReadiness.selector)}`, podsSelected(a.setReadiness.selector, a.setReadiness.namespace))
    }
    if (a.failNode !== undefined) checkNode(p("failNode"), a.failNode)
    if (a.recoverNode !== undefined) checkNode(p("recoverNode"), a.recoverNode)
    if (a.delete !== undefined && "kind" in a.delete) {
      const d = a.delete
      if (api.kindInfo(d.kind) === undefined) add(p("delete", "kind"), `a kind kubesim knows (${api.KINDS.map((k) => k.kind).join(", ")})`, d.kind, `unknown kind "${d.kind}"`)
      else if (!created.some((o) => o.kind === d.kind && o.metadata.name === d.name && (o.metadata.namespace ?? api.DEFAULT_NAMESPACE) === nsOf(d.namespace)))
        add(p("delete"), "an object the scenario creates", `${d.kind} ${d.name}`, `${d.kind} "${nsOf(d.namespace)}/${d.name}" is not created by any manifest of the scenario`)
    }
  })
  ;(scenario.churn ?? []).forEach((c, i) => {
    const p = (...rest: PathSegment[]): PathSegment[] => ["churn", i, ...rest]
    switch (c.type) {
      case "kill-pods":
        checkSelector(p("selector"), c.selector, c.namespace)
        checkWindow(p(), c.start, c.stop, duration, add)
        return
      case "liveness-fail":
        checkSelector(p("selector"), c.selector, c.namespace)
        checkProbed(p("selector"), `liveness-fail -l ${formatSelector(c.selector)}`, podsSelected(c.selector, c.namespace), "liveness")
        checkWindow(p(), c.start, c.stop, duration, add)
        return
      case "readiness-flap":
        checkSelector(p("selector"), c.selector, c.namespace)
        checkProbed(p("selector"), `readiness-flap -l ${formatSelector(c.selector)}`, podsSelected(c.selector, c.namespace))
        checkWindow(p(), c.start, c.stop, duration, add)
        if (parseDuration(c.down) >= parseDuration(c.period)) add(p("down"), `a duration shorter than period (${c.period})`, c.down, `down (${c.down}) must be shorter than period (${c.period})`)
        return
      case "rolling-update":
        checkDeployment(p("deployment"), c.deployment, c.namespace)
        checkWindow(p(), c.start, c.stop, duration, add)
        if (c.every !== undefined && parseDuration(c.every) === 0) add(p("every"), "a duration > 0", c.every, "every must be longer than 0s")
        return
      case "scale":
        checkDeployment(p("deployment"), c.deployment, c.namespace)
        return
      case "node-failure":
        checkNode(p("node"), c.node)
        checkWindow(p(), c.start, c.stop, duration, add)
        return
    }
  })
  ;(scenario.variants ?? []).forEach((v, i) => {
    // A variant must at least apply: its overrides type-check (the variant's own run re-checks the rest).
    try {
      applyOverrides(loaded.scenario, variantOverrides(loaded.scenario, v.name))
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e
      for (const x of e.issues) issues.push({ ...x, message: `variants[${i}] (${v.name}): ${x.message}` })
    }
  })

  if (issues.length > 0) throw new ScenarioError(issues)
  const resolved: Scenario = {
    ...scenario,
    ...(scenario.manifests !== undefined ? { manifests: inlinedManifests } : {}),
    ...(scenario.actions !== undefined ? { actions: inlinedActions } : {}),
  }
  return { scenario, resolved, variant, file, duration, nodes, manifests, actionObjects, warnings }
}

const checkWindow = (
  path: ReadonlyArray<PathSegment>,
  start: string | undefined,
  stop: string | undefined,
  duration: Nanos,
  add: (path: ReadonlyArray<PathSegment>, expected: string, found: string, message: string) => void,
): void => {
  const s = start === undefined ? 0 : parseDuration(start)
  const e = stop === undefined ? duration : parseDuration(stop)
  if (s > duration) add([...path, "start"], "a start within the run", start ?? "", `start ${start} is after the end of the run`)
  if (e < s) add([...path, "stop"], `a stop after start (${start ?? "0s"})`, stop ?? "", `stop ${stop} is before start ${start ?? "0s"}`)
}

/**
 * Whether a container's app can fail its readiness probe in kubesim: an httpGet probe on port 80 of an nginx
 * image (its readiness path answers 503), or an exec probe (its command then fails). A tcpSocket probe passes
 * while the port listens; other images serve no readiness endpoint.
 */
export const appCanFailReadiness = (c: api.Container): boolean => appCanFailProbe(c.readinessProbe, c)

/** The same for any probe of the container (readiness, liveness). */
export const appCanFailProbe = (probe: api.Probe | undefined, c: api.Container): boolean => {
  if (probe === undefined) return false
  if (probe.exec !== undefined) return true
  return probe.httpGet !== undefined && kubelet.imageBaseName(c.image).startsWith("nginx") && kubelet.probePort(probe.httpGet.port, c) === 80
}

/** `{app: web}` as kubectl prints a selector: `app=web`. */
export const formatSelector = (sel: LabelMap): string =>
  Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k]}`)
    .join(",")

const manifestIssue = (m: api.ManifestIssue): ScenarioIssue => ({
  file: m.file,
  ...(m.line !== undefined ? { line: m.line, column: m.column ?? 1 } : {}),
  path: m.field,
  expected: m.expected,
  found: m.found,
  message: api.formatManifestIssues([m]).trimEnd().replace(/ \([^()]*, document \d+\)$/, ` (document ${m.document})`),
})
