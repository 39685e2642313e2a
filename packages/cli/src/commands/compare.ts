import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazy } from "./lazy"
import { formatOption, outputOption } from "./report"

const a = Args.directory({ name: "dir-a", exists: "yes" })
const b = Args.directory({ name: "dir-b", exists: "yes" })

const compareConfig = { a, b, format: formatOption, output: outputOption }
export type CompareOptions = Command.Command.ParseConfig<typeof compareConfig>

/**
 * `kubesim compare <dir-a> <dir-b>`: the runs under each directory form one side (their variant labels are
 * replaced by the directory names), paired by seed; every metric gets the mean difference with its 95 %
 * interval, and a verdict only where the interval excludes 0.
 */
export const compareCommand = Command.make("compare", compareConfig, (o) => lazy(() => import("../actions/compare"), (m) => m.compare(o))).pipe(
  Command.withDescription("Compare two sets of runs (e.g. two variants), paired by seed."),
)
