import { existsSync } from "node:fs"
import { api } from "@kubesim/core"
import { formatScenarioIssues, loadScenarioFile, prepareScenario, ScenarioError, type DecodedObjects, type LoadedScenario } from "@kubesim/scenarios"
import { Console, Effect } from "effect"
import { readInputFile } from "../io/read-input"
import { UserInputError } from "../errors"
import { builtinNames } from "../execute/library"
import { builtinScenario } from "../execute/builtins"
import { servicesSelectingNothing } from "../execute/input-checks"
import { isScenarioText } from "../execute/scenario-source"

/** One scenario checked as `run` would check it, for the scenario as written and for each of its variants. */
const checkScenario = (label: string, load: () => LoadedScenario): { errors: string[]; warnings: string[]; ok?: string } => {
  let loaded: LoadedScenario
  try {
    loaded = load()
  } catch (e) {
    if (e instanceof ScenarioError) return { errors: [formatScenarioIssues(e.issues).trimEnd()], warnings: [] }
    throw e
  }
  const variants = ["default", ...(loaded.scenario.variants ?? []).map((v) => v.name)]
  const errors: string[] = []
  const warnings = new Set<string>()
  let objects = 0
  for (const variant of variants) {
    try {
      const p = prepareScenario(loaded, { variant })
      for (const w of formatScenarioIssues(p.warnings).split("\n")) if (w !== "") warnings.add(w)
      const all: DecodedObjects = [...p.manifests, ...[...p.actionObjects.keys()].sort((a, b) => a - b).flatMap((k) => p.actionObjects.get(k) ?? [])]
      if (variant === "default") objects = all.length
      for (const w of servicesSelectingNothing(all)) warnings.add(w)
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e
      errors.push(`${variant === "default" ? "" : `variant ${variant}: `}${formatScenarioIssues(e.issues).trimEnd()}`)
    }
  }
  return { errors, warnings: [...warnings], ok: `${label}: scenario ${loaded.scenario.metadata.name} valid (${objects} object(s); variants: ${variants.join(", ")})` }
}

/**
 * `kubesim validate` (see ../commands/validate.ts): each argument is a scenario file, a built-in scenario's name
 * or a manifest file. Scenarios are checked as `run` checks them (every variant); manifests are decoded as
 * `kubectl apply --dry-run=client --validate=strict` would, unknown fields warned about, and Services that select
 * no pod among all the manifests given are pointed out. Prints kubectl-style issues; exits 1 on any error.
 */
export const validate = (inputs: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    let errors = 0
    const manifests: api.DecodedManifest[] = []
    for (const input of inputs) {
      if (!existsSync(input)) {
        if (!builtinNames().includes(input))
          return yield* new UserInputError({ message: `${input}: no such file, and no built-in scenario of that name (see \`kubesim scenarios\`)` })
        const r = checkScenario(input, () => builtinScenario(input))
        yield* report(r)
        errors += r.errors.length
        continue
      }
      const text = yield* readInputFile(input)
      if (isScenarioText(text)) {
        const r = checkScenario(input, () => loadScenarioFile(input))
        yield* report(r)
        errors += r.errors.length
        continue
      }
      const result = api.decodeManifests(text, { file: input })
      const issues = [...result.errors, ...result.warnings]
      if (issues.length > 0) yield* Console.error(api.formatManifestIssues(issues).trimEnd())
      errors += result.errors.length
      manifests.push(...result.objects)
      if (result.errors.length === 0) yield* Console.log(`${input}: ${result.objects.length} object(s) valid`)
    }
    for (const w of servicesSelectingNothing(manifests)) yield* Console.error(w)
    if (errors > 0) return yield* new UserInputError({ message: `${errors} error(s) found` })
  })

const report = (r: { errors: string[]; warnings: string[]; ok?: string }) =>
  Effect.gen(function* () {
    for (const w of r.warnings) yield* Console.error(w)
    for (const e of r.errors) yield* Console.error(e)
    if (r.errors.length === 0 && r.ok !== undefined) yield* Console.log(r.ok)
  })
