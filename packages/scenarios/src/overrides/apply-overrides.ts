import { parse as parseYaml } from "yaml"
import { type ScenarioDecodeResult, decodeScenarioValue } from "../format/decode-scenario"
import type { Scenario } from "../format/schema"
import { type ScenarioIssue, ScenarioError, issueWithMessage } from "../format/scenario-issue"
import { pathText } from "../format/schema-problems"
import type { PathSegment } from "../format/yaml-source"
import { PathSyntaxError, parseDottedPath } from "./dotted-path"
import { setAtPath } from "./set-value"

/** One override: a path into the scenario document and the value to put there; `origin` names it in errors. */
export interface Override {
  readonly path: ReadonlyArray<PathSegment>
  readonly value: unknown
  /** `--set clients[0].traffic.rate=5`, `variant "affinity"`: where the override came from. */
  readonly origin: string
  /** A `--set` value given as text: if the YAML reading of it does not fit, the plain string is tried. */
  readonly text?: string
}

/**
 * Parses `key=value` as the CLI's `--set` takes it. The value is read as a YAML scalar or flow collection
 * (`5` a number, `true` a boolean, `{app: web}` a map, `nftables` a string); when the schema wants a string at that
 * path, the text is used as written (so `metadata.name=007` stays "007").
 */
export const parseSetArgument = (arg: string): Override => {
  const eq = arg.indexOf("=")
  if (eq <= 0) throw new PathSyntaxError(`--set ${JSON.stringify(arg)}: expected key=value (e.g. cluster.proxyMode=nftables)`)
  const key = arg.slice(0, eq)
  const text = arg.slice(eq + 1)
  let value: unknown = text
  try {
    value = parseYaml(text)
  } catch {
    value = text
  }
  return { path: parseDottedPath(key), value: value ?? text, origin: `--set ${arg}`, text }
}

/** The overrides of a variant's `set` map, in the order written. */
export const variantOverrides = (scenario: Scenario, name: string): Override[] => {
  const v = (scenario.variants ?? []).find((x) => x.name === name)
  if (v === undefined) {
    const known = (scenario.variants ?? []).map((x) => x.name)
    throw new ScenarioError([
      issueWithMessage("<variant>", "variants", `one of ${["default", ...known].join(", ")}`, JSON.stringify(name), `no variant "${name}" in scenario "${scenario.metadata.name}" (known: ${["default", ...known].join(", ")})`),
    ])
  }
  return Object.entries(v.set).map(([k, value]) => ({ path: parseDottedPath(k), value, origin: `variant "${name}" set ${k}` }))
}

const touches = (issues: ReadonlyArray<ScenarioIssue>, path: ReadonlyArray<PathSegment>): boolean => {
  const p = pathText(path)
  return issues.some((i) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`))
}

/**
 * Applies overrides to a scenario and decodes the result, so every override is type-checked against the schema
 * (`--set clients[0].traffic.rate=fast` fails naming the path, the expected type and the override). Overrides may
 * not touch `variants` or `apiVersion`/`kind`. Returns the new scenario or throws ScenarioError with every issue.
 */
export const applyOverrides = (scenario: Scenario, overrides: ReadonlyArray<Override>): Scenario => {
  let doc: unknown = scenario
  const problems: ScenarioIssue[] = []
  for (const o of overrides) {
    const head = o.path[0]
    if (head === "variants" || head === "apiVersion" || head === "kind") {
      problems.push(issueWithMessage(o.origin, pathText(o.path), "a path outside variants, apiVersion, kind", pathText(o.path), `${o.origin}: ${String(head)} cannot be overridden`))
      continue
    }
    try {
      let next = setAtPath(doc, o.path, o.value)
      if (o.text !== undefined && typeof o.value !== "string") {
        // Prefer the typed reading; fall back to the text when the schema rejects the typed value there.
        const typed = decodeScenarioValue(next, { file: o.origin })
        if (!typed.ok && touches(typed.issues, o.path)) {
          const asText = setAtPath(doc, o.path, o.text)
          const r = decodeScenarioValue(asText, { file: o.origin })
          if (r.ok || !touches(r.issues, o.path)) next = asText
        }
      }
      doc = next
    } catch (e) {
      if (!(e instanceof RangeError)) throw e
      problems.push(issueWithMessage(o.origin, pathText(o.path), "a path that fits the scenario", pathText(o.path), `${o.origin}: ${e.message}`))
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems)
  const r: ScenarioDecodeResult = decodeScenarioValue(doc, { file: overrides.length === 1 ? (overrides[0] as Override).origin : "overrides" })
  if (!r.ok) {
    // Name the override responsible for each issue where one is.
    throw new ScenarioError(
      r.issues.map((i) => {
        const o = [...overrides].reverse().find((x) => i.path === pathText(x.path) || i.path.startsWith(`${pathText(x.path)}.`) || i.path.startsWith(`${pathText(x.path)}[`))
        return o === undefined ? i : { ...i, file: o.origin }
      }),
    )
  }
  return r.scenario
}
