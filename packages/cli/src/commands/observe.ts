import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { targetOptions } from "./shared"
import { lazy } from "./lazy"

const text = (name: string) => Options.text(name).pipe(Options.optional)

const observeConfig = {
  pod: text("pod"),
  fromPod: text("from-pod"),
  toPod: text("to-pod"),
  service: text("service"),
  toService: text("to-service"),
  verdict: Options.choice("verdict", ["FORWARDED", "DROPPED", "ERROR"]).pipe(Options.optional),
  dropReason: text("drop-reason-desc"),
  last: Options.integer("last").pipe(Options.withDefault(0)),
  output: Options.choice("output", ["compact", "json"]).pipe(Options.withAlias("o"), Options.withDefault("compact" as const)),
  ...targetOptions,
}
export type ObserveOptions = Command.Command.ParseConfig<typeof observeConfig>

/** `kubesim observe [filters] [-o compact|json]`: hubble observe over the run's records. Help: help/commands-help.ts. */
export const observeCommand = Command.make("observe", observeConfig, (o) => lazy(() => import("../actions/observe"), (m) => m.observe(o)))
