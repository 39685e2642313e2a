import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { atOption, namespaceOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const pod = Args.text({ name: "pod" })
const tail = Options.integer("tail").pipe(Options.withDefault(-1))

const logsConfig = { pod, tail, namespace: namespaceOption, at: atOption, ...targetOptions }
export type LogsOptions = Command.Command.ParseConfig<typeof logsConfig>

/** `kubesim logs POD [--tail N] [--at T]`: the pod's log from the records. Help: help/commands-help.ts. */
export const logsCommand = Command.make("logs", logsConfig, (o) => lazy(() => import("../actions/logs"), (m) => m.logs(o)))
