import { records } from "@kubesim/core"
import { parseSetArgument } from "@kubesim/scenarios"
import { Effect, Option } from "effect"
import { type InternalError, UserInputError } from "../errors"
import { parseAt, parseDurationFlag } from "../args/at-time"
import { builtinNames } from "../execute/library"
import { loadSource } from "../execute/load-source"
import { classifySource } from "../execute/scenario-source"
import { type InspectTarget, targetFromRunDir } from "../inspect/inspect-source"
import type { TargetOptions } from "../commands/shared"
import { attempt } from "./attempt"

/** The inspection target from `--run DIR` or `-f scenario|manifests…` (exactly one of them). */
export const resolveTarget = (o: TargetOptions): Effect.Effect<InspectTarget, UserInputError | InternalError> =>
  attempt(() => {
    if (Option.isSome(o.run)) {
      if (o.scenario.length > 0) throw new UserInputError({ message: "give either --run DIR or -f SCENARIO, not both" })
      if (Option.isSome(o.seed) || Option.isSome(o.variant) || o.set.length > 0 || Option.isSome(o.duration))
        throw new UserInputError({ message: "--run replays the run as it was: --seed, --variant, --set and --duration do not apply" })
      return targetFromRunDir(o.run.value, records.parseRecordLine)
    }
    if (o.scenario.length === 0) throw new UserInputError({ message: "nothing to inspect: give -f SCENARIO (a file, a built-in name or manifests) or --run DIR" })
    const source = classifySource(o.scenario, builtinNames())
    const duration = Option.getOrUndefined(o.duration)
    if (duration !== undefined) parseDurationFlag("--duration", duration)
    const loaded = loadSource(source, duration)
    const set = [...(duration !== undefined && source.kind !== "manifests" ? [parseSetArgument(`duration=${duration}`)] : []), ...o.set.map(parseSetArgument)]
    return { loaded, variant: Option.getOrElse(o.variant, () => "default"), seed: Option.getOrElse(o.seed, () => loaded.scenario.seeds?.[0] ?? 1), set }
  })

export const atNanos = (at: Option.Option<string>): Effect.Effect<number | undefined, UserInputError | InternalError> => attempt(() => (Option.isSome(at) ? parseAt(at.value) : undefined))
