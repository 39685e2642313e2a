import { Either, Schema } from "effect"
import { ACTION_VERBS, type Scenario, ScenarioSchema } from "./schema"
import { type ScenarioIssue, issue, issueWithMessage } from "./scenario-issue"
import { describeValue, flattenIssue, pathText, type SchemaProblem } from "./schema-problems"
import { type PathSegment, type TextPosition, parseYamlSource } from "./yaml-source"

/** Where a scenario came from: the name used in messages and a locator from field paths to text positions. */
export interface ScenarioSource {
  readonly file: string
  readonly locate?: (path: ReadonlyArray<PathSegment>) => TextPosition | undefined
}

/** A decoded scenario, or every problem found (never both empty). */
export type ScenarioDecodeResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly issues: ReadonlyArray<ScenarioIssue> }

const decodeEither = Schema.decodeUnknownEither(ScenarioSchema, { errors: "all", onExcessProperty: "error" })

/** Parses and decodes a scenario's YAML text. Never throws: syntax and schema problems come back as issues. */
export const decodeScenarioText = (text: string, file = "<scenario>"): ScenarioDecodeResult => {
  const src = parseYamlSource(text)
  if (src.errors.length > 0) {
    return { ok: false, issues: src.errors.map((e) => issueWithMessage(file, "", "valid YAML", e.message, `YAML syntax: ${e.message}`, e)) }
  }
  return decodeScenarioValue(src.value, { file, locate: src.locate })
}

/**
 * Decodes a scenario from a JSON-like value (the TypeScript API: build the object, decode it here so it gets the
 * same checks as a file). Schema problems, then the structural rules a schema cannot say (one verb per action,
 * one kind of client, unique names), all reported together.
 */
export const decodeScenarioValue = (value: unknown, source: ScenarioSource): ScenarioDecodeResult => {
  const r = decodeEither(value)
  if (Either.isLeft(r)) return { ok: false, issues: flattenIssue(r.left.issue).map((p) => problemIssue(p, source)) }
  const issues = structuralIssues(r.right, source)
  return issues.length > 0 ? { ok: false, issues } : { ok: true, scenario: r.right }
}

const at = (source: ScenarioSource, path: ReadonlyArray<PathSegment>): TextPosition | undefined => source.locate?.(path)

const problemIssue = (p: SchemaProblem, source: ScenarioSource): ScenarioIssue => {
  const text = pathText(p.path)
  const pos = at(source, p.path)
  const parent = p.path.slice(0, -1)
  const key = String(p.path[p.path.length - 1] ?? "")
  if (p.kind === "unknown") {
    // An unknown key directly under an action is an unknown verb: say which verbs exist.
    if (parent.length === 2 && parent[0] === "actions" && typeof parent[1] === "number") {
      return issueWithMessage(source.file, pathText(parent), `one of ${ACTION_VERBS.join(", ")}`, JSON.stringify(key), `unknown action "${key}" (expected one of ${ACTION_VERBS.join(", ")})`, pos)
    }
    return issueWithMessage(source.file, pathText(parent), "a known field", JSON.stringify(key), `unknown field "${key}"`, pos)
  }
  if (p.kind === "missing") return issueWithMessage(source.file, text, "a value", "nothing", "required field missing", pos)
  const found = describeValue(p.actual)
  const base = issue(source.file, text, p.expected, found, pos)
  return p.detail !== undefined ? { ...base, message: `${base.message} (${p.detail})` } : base
}

/** Rules across fields, on a scenario that passed the schema. */
const structuralIssues = (s: Scenario, source: ScenarioSource): ScenarioIssue[] => {
  const out: ScenarioIssue[] = []
  const add = (path: ReadonlyArray<PathSegment>, expected: string, found: string, message: string) =>
    out.push(issueWithMessage(source.file, pathText(path), expected, found, message, at(source, path)))
  ;(s.actions ?? []).forEach((a, i) => {
    const verbs = ACTION_VERBS.filter((v) => a[v] !== undefined)
    if (verbs.length > 1) add(["actions", i], "exactly one action", verbs.join(", "), `one action per entry, found ${verbs.join(" and ")}`)
    if (verbs.length === 0 && a.phase === undefined) add(["actions", i], "an action or a phase", "neither", `no action (expected one of ${ACTION_VERBS.join(", ")}, or a phase label)`)
    const kill = a.kill
    if (kill !== undefined && (kill.pod === undefined) === (kill.selector === undefined)) add(["actions", i, "kill"], "pod or selector", "both or neither", "give exactly one of pod, selector")
    if (kill?.pod !== undefined && kill.count !== undefined) add(["actions", i, "kill", "count"], "no count with pod", "count", "count applies to a selector, not to a named pod")
    const r = a.setReadiness
    if (r !== undefined && (r.pod === undefined) === (r.selector === undefined)) add(["actions", i, "setReadiness"], "pod or selector", "both or neither", "give exactly one of pod, selector")
  })
  const clientNames = new Set<string>()
  ;(s.clients ?? []).forEach((c, i) => {
    if ((c.pod === undefined) === (c.external === undefined)) add(["clients", i], "pod or external", "both or neither", "a client runs in a pod or on external hosts: give exactly one of pod, external")
    if (c.namespace !== undefined && c.external !== undefined) add(["clients", i, "namespace"], "no namespace for external clients", "namespace", "namespace applies to a pod client")
    if (clientNames.has(c.name)) add(["clients", i, "name"], "a unique client name", JSON.stringify(c.name), `duplicate client name "${c.name}"`)
    clientNames.add(c.name)
  })
  ;(s.churn ?? []).forEach((c, i) => {
    if (c.type === "kill-pods" && (c.rate === undefined) === (c.schedule === undefined)) add(["churn", i], "rate or schedule", "both or neither", "kill-pods needs exactly one of rate, schedule")
    if (c.type === "rolling-update" && (c.every === undefined) === (c.at === undefined)) add(["churn", i], "every or at", "both or neither", "rolling-update needs exactly one of every, at")
    if (c.type === "node-failure" && (c.rate === undefined) === (c.at === undefined)) add(["churn", i], "rate or at", "both or neither", "node-failure needs exactly one of rate, at")
  })
  // kube-proxy reads KubeProxyIPVSConfiguration only in ipvs mode (cmd/kube-proxy/app/server_linux.go createProxier;
  // pkg/proxy/apis/config/validation checks it only then): under another mode it would silently do nothing, so it
  // is an error naming both fields.
  const ipvs = s.cluster?.ipvs
  const mode = s.cluster?.proxyMode
  if (ipvs !== undefined && mode !== "ipvs") {
    const modeText = mode === undefined ? "iptables (cluster.proxyMode unset: the default)" : mode
    const fields = Object.keys(ipvs)
    add(
      ["cluster", "ipvs"],
      "cluster.proxyMode: ipvs",
      `proxyMode ${mode ?? "iptables"}`,
      `an IPVS option under ${mode ?? "iptables"} mode: cluster.ipvs${fields.length > 0 ? ` (${fields.join(", ")})` : ""} configures kube-proxy's ipvs mode, but cluster.proxyMode is ${modeText}; set cluster.proxyMode: ipvs or remove cluster.ipvs`,
    )
  }
  const variantNames = new Set<string>()
  ;(s.variants ?? []).forEach((v, i) => {
    if (v.name === "default") add(["variants", i, "name"], "a name other than default", '"default"', 'the variant name "default" is reserved for the scenario as written')
    if (variantNames.has(v.name)) add(["variants", i, "name"], "a unique variant name", JSON.stringify(v.name), `duplicate variant name "${v.name}"`)
    variantNames.add(v.name)
  })
  return out
}
