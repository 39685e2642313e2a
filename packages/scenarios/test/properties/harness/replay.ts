import type { Parameters } from "fast-check"
import type { GeneratedCase } from "../arbitraries/cluster-plan"
import { describeCase } from "../arbitraries/scenario-of-plan"

/**
 * fast-check parameters that replay a reported failure: `KUBESIM_PROPERTY_SEED` and `KUBESIM_PROPERTY_PATH` are
 * the `seed` and `path` fast-check prints with the counterexample.
 */
export const replayParameters = <T>(): Parameters<T> => {
  const seed = process.env["KUBESIM_PROPERTY_SEED"]
  const path = process.env["KUBESIM_PROPERTY_PATH"]
  if (seed === undefined || seed === "") return {}
  return { seed: Number(seed), ...(path !== undefined && path !== "" ? { path } : {}), endOnFailure: path !== undefined && path !== "" }
}

/** A failure's message: what broke, and the case as a scenario file `kubesim run` replays. */
export const failureText = (gc: GeneratedCase, violations: ReadonlyArray<string>): string =>
  [
    `${violations.length} invariant violation(s) in a generated cluster (simulator seed ${gc.seed}):`,
    ...violations.map((v) => `  - ${v}`),
    "",
    "Replay: save the YAML below as case.yaml and run `node packages/cli/bin/kubesim.mjs run case.yaml`",
    "(or rerun this test with KUBESIM_PROPERTY_SEED / KUBESIM_PROPERTY_PATH set to fast-check's seed and path).",
    "---",
    describeCase(gc),
  ].join("\n")
