import { Args, Command, Options } from "@effect/cli"
import { buildReport, renderHtml, renderJson, renderMarkdown, type Report } from "@kubesim/report"
import { Console, Effect, Option } from "effect"
import { writeFileAtomic } from "../io/atomic-write"
import { readRuns } from "../io/run-dirs"

export type ReportFormat = "md" | "json" | "html"

export const renderReport = (report: Report, format: ReportFormat): Effect.Effect<string> =>
  format === "md"
    ? Effect.succeed(renderMarkdown(report))
    : format === "json"
      ? Effect.succeed(renderJson(report))
      : Effect.promise(() => renderHtml(report))

/** Prints `text` to stdout, or writes it atomically to `output` when given. */
export const emit = (text: string, output: Option.Option<string>): Effect.Effect<void> =>
  Option.match(output, {
    onNone: () => Console.log(text.endsWith("\n") ? text.slice(0, -1) : text),
    onSome: (file) => Effect.sync(() => writeFileAtomic(file, text)),
  })

const dirs = Args.directory({ name: "run-dir", exists: "yes" }).pipe(Args.atLeast(1))
export const formatOption = Options.choice("format", ["md", "json", "html"]).pipe(Options.withDefault("md" as const))
export const outputOption = Options.file("output").pipe(Options.withAlias("o"), Options.optional)

/** `kubesim report <run-dir…> [--format md|json|html] [-o FILE]`: metrics of one run, a sweep, or variants compared. */
export const reportCommand = Command.make("report", { dirs, format: formatOption, output: outputOption }, ({ dirs, format, output }) =>
  Effect.gen(function* () {
    const runs = yield* readRuns(dirs)
    const text = yield* renderReport(buildReport(runs), format)
    yield* emit(text, output)
  }),
).pipe(Command.withDescription("Report on run directories (a run, a sweep, or several variants) as Markdown, JSON or HTML."))
