import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { atOption, namespaceOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const kind = Args.text({ name: "kind" })
const name = Args.text({ name: "name" })

const describeConfig = { kind, name, namespace: namespaceOption, at: atOption, ...targetOptions }
export type DescribeOptions = Command.Command.ParseConfig<typeof describeConfig>

/** `kubesim describe pod|svc|node NAME [-n NS] [--at T]`: kubectl describe at simulated time T. Help: help/commands-help.ts. */
export const describeCommand = Command.make("describe", describeConfig, (o) => lazy(() => import("../actions/describe"), (m) => m.describe(o)))
