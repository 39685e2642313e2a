import { Args, Command } from "@effect/cli"
import { buildReport, type Run } from "@kubesim/report"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { readRuns } from "../io/run-dirs"
import { emit, formatOption, outputOption, renderReport } from "./report"

const a = Args.directory({ name: "dir-a", exists: "yes" })
const b = Args.directory({ name: "dir-b", exists: "yes" })

/**
 * `kubesim compare <dir-a> <dir-b>`: the runs under each directory form one side (their variant labels are
 * replaced by the directory names), paired by seed; every metric gets the mean difference with its 95 %
 * interval, and a verdict only where the interval excludes 0.
 */
export const compareCommand = Command.make("compare", { a, b, format: formatOption, output: outputOption }, ({ a, b, format, output }) =>
  Effect.gen(function* () {
    if (a === b) return yield* new UserInputError({ message: "compare needs two different directories" })
    const relabel = (variant: string) => (run: Run): Run => ({ ...run, meta: { ...run.meta, variant } })
    const left = (yield* readRuns([a])).map(relabel(a))
    const right = (yield* readRuns([b])).map(relabel(b))
    const report = yield* Effect.try({
      try: () => buildReport([...left, ...right], { baseline: a }),
      catch: (e) => new UserInputError({ message: e instanceof Error ? e.message : String(e) }),
    })
    yield* emit(yield* renderReport(report, format), output)
  }),
).pipe(Command.withDescription("Compare two sets of runs (e.g. two variants), paired by seed."))
