import * as Command from "@effect/cli/Command"
import { lazy } from "./lazy"

/** `kubesim scenarios`: the built-in library, one scenario a line: name, then its description. */
export const scenariosCommand = Command.make("scenarios", {}, () => lazy(() => import("../actions/scenarios"), (m) => m.scenarios())).pipe(
  Command.withDescription("List the built-in scenarios (run one with `kubesim run NAME`)."),
)
