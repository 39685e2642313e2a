import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazy } from "./lazy"

const files = Args.file({ name: "file", exists: "yes" }).pipe(Args.atLeast(1))

/**
 * `kubesim validate <files…>`: decodes and validates manifests (and scenarios) without running anything.
 * Prints kubectl-style errors and warnings; exits 1 if any file has an error.
 */
export const validateCommand = Command.make("validate", { files }, ({ files }) => lazy(() => import("../actions/validate"), (m) => m.validate(files))).pipe(
  Command.withDescription("Check manifests and scenarios without running them."),
)
