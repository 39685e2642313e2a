import { buildReport, renderHtml, renderJson, renderMarkdown, type Report } from "@kubesim/report"
import { Console, Effect, Option } from "effect"
import { writeFileAtomic } from "../io/atomic-write"
import { readRuns } from "../io/run-dirs"
import type { ReportFormat, ReportOptions } from "../commands/report"

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

/** `kubesim report` (see ../commands/report.ts). */
export const report = ({ dirs, format, output }: ReportOptions) =>
  Effect.gen(function* () {
    const runs = yield* readRuns(dirs)
    const text = yield* renderReport(buildReport(runs), format)
    yield* emit(text, output)
  })
