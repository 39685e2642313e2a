import { ScenarioError, ScenarioRunError, formatScenarioIssues } from "@kubesim/scenarios"
import { DurationParseError, rootCause, SimulationError } from "@kubesim/core"
import { RecordsDecodeError } from "@kubesim/report"
import { UserInputError } from "../errors"
import { SourceError } from "./scenario-source"
import { isInputFailure, SimulationFailure } from "./simulation-failure"

const JS_ERRORS = new Set(["Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"])

/**
 * Turns what running a job can throw into a message: the user's mistakes (a scenario that does not decode or
 * validate, a bad `--set`, a missing file, an apply the API server rejects mid-run) are input errors (exit 1, no
 * stack trace); a component's failure inside the simulation (SimulationFailure's report) and anything else are
 * internal (exit 70).
 */
export const describeError = (e: unknown): { readonly message: string; readonly userError: boolean; readonly detail?: string } => {
  if (e instanceof SimulationFailure) return { message: e.report, userError: false, detail: e.detail }
  // A run's failure that no caller turned into a report (no cluster at hand): classify it the same way.
  if (e instanceof SimulationError) {
    if (isInputFailure(e)) return describeError(rootCause(e))
    return { message: `internal error: the simulation failed: ${e.message}`, userError: false, ...(e.stack !== undefined ? { detail: e.stack } : {}) }
  }
  if (e instanceof UserInputError) return { message: e.message, userError: true, ...(e.detail !== undefined ? { detail: e.detail } : {}) }
  if (e instanceof ScenarioError) return { message: formatScenarioIssues(e.issues).trimEnd(), userError: true }
  if (e instanceof ScenarioRunError || e instanceof SourceError || e instanceof DurationParseError || e instanceof RecordsDecodeError) return { message: e.message, userError: true }
  // kubesim's own input errors are named classes (PathSyntaxError, ClusterConfigError, SeedsSyntaxError, …);
  // JavaScript's built-in ones mean a bug.
  if (e instanceof Error && e.name.endsWith("Error") && !JS_ERRORS.has(e.name))
    return { message: e.message, userError: true, ...(e.stack !== undefined ? { detail: e.stack } : {}) }
  return { message: `internal error (please report it): ${e instanceof Error ? e.message : String(e)}`, userError: false, ...(e instanceof Error && e.stack !== undefined ? { detail: e.stack } : {}) }
}
