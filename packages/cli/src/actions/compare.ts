import { buildReport, type Run } from "@kubesim/report"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { readRuns } from "../io/run-dirs"
import type { CompareOptions } from "../commands/compare"
import { emit, renderReport } from "./report"

/** `kubesim compare` (see ../commands/compare.ts): each directory's runs relabelled with the directory, paired by seed. */
export const compare = ({ a, b, format, output }: CompareOptions) =>
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
  })
