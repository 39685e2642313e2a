import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy } from "./lazy"

export type ReportFormat = "md" | "json" | "html"

const dirs = Args.directory({ name: "run-dir", exists: "yes" }).pipe(Args.atLeast(1))
export const formatOption = Options.choice("format", ["md", "json", "html"]).pipe(Options.withDefault("md" as const))
export const outputOption = Options.file("output").pipe(Options.withAlias("o"), Options.optional)

const reportConfig = { dirs, format: formatOption, output: outputOption }
export type ReportOptions = Command.Command.ParseConfig<typeof reportConfig>

/** `kubesim report <run-dir…> [--format md|json|html] [-o FILE]`: metrics of one run, a sweep, or variants compared. */
export const reportCommand = Command.make("report", reportConfig, (o) => lazy(() => import("../actions/report"), (m) => m.report(o))).pipe(
  Command.withDescription("Report on run directories (a run, a sweep, or several variants) as Markdown, JSON or HTML."),
)
