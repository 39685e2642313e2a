import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazy } from "./lazy"

const inputs = Args.text({ name: "file | name" }).pipe(Args.atLeast(1))

/**
 * `kubesim validate <scenario.yaml | NAME | manifest.yaml…>`: checks scenarios (every variant, as `run` would) and
 * manifests without running anything. Prints kubectl-style errors and warnings; exits 1 if any has an error.
 */
export const validateCommand = Command.make("validate", { inputs }, ({ inputs }) => lazy(() => import("../actions/validate"), (m) => m.validate(inputs))).pipe(
  Command.withDescription("Check scenarios and manifests without running them."),
)
