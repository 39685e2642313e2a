import { buildReport, type Run } from "@kubesim/report"
import { basename, resolve } from "node:path"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { readRuns } from "../io/run-dirs"
import type { CompareOptions } from "../commands/compare"
import { emit, renderReport } from "./report"

const variantOf = (runs: ReadonlyArray<Run>): string | undefined => {
  const names = new Set(runs.map((r) => r.meta.variant))
  return names.size === 1 ? [...names][0] : undefined
}

/**
 * Short labels for the two sides: their variant names when each side is one variant and they differ (comparing
 * `runs/etp/default` with `runs/etp/local` reads "default" and "local"), else the directories' last components,
 * else (same last component) the paths as given.
 */
export const compareLabels = (a: string, b: string, left: ReadonlyArray<Run>, right: ReadonlyArray<Run>): [string, string] => {
  const va = variantOf(left)
  const vb = variantOf(right)
  if (va !== undefined && vb !== undefined && va !== vb) return [va, vb]
  const ba = basename(resolve(a))
  const bb = basename(resolve(b))
  return ba !== bb ? [ba, bb] : [a, b]
}

/** `kubesim compare` (see ../commands/compare.ts): each directory's runs relabelled with the directory, paired by seed. */
export const compare = ({ a, b, format, output }: CompareOptions) =>
  Effect.gen(function* () {
    if (a === b) return yield* new UserInputError({ message: "compare needs two different directories" })
    const relabel = (variant: string) => (run: Run): Run => ({ ...run, meta: { ...run.meta, variant } })
    const leftRuns = yield* readRuns([a])
    const rightRuns = yield* readRuns([b])
    const [la, lb] = compareLabels(a, b, leftRuns, rightRuns)
    const left = leftRuns.map(relabel(la))
    const right = rightRuns.map(relabel(lb))
    const report = yield* Effect.try({
      try: () => buildReport([...left, ...right], { baseline: la }),
      catch: (e) => new UserInputError({ message: e instanceof Error ? e.message : String(e) }),
    })
    yield* emit(yield* renderReport(report, format), output)
  })
