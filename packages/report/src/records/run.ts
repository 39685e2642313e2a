import { Either, ParseResult, Schema } from "effect"
import { RecordsDecodeError } from "./errors"
import type { RunRecord } from "./schema"

/**
 * What the report needs to know about a run (from `run.json`): the scenario, the variant it belongs to and the
 * seed that pairs it with the other variants' runs. Other fields of `run.json` are ignored.
 */
export const RunMeta = Schema.Struct({
  scenario: Schema.String,
  variant: Schema.String,
  seed: Schema.Number.pipe(Schema.int()),
  traceHash: Schema.String,
})
export type RunMeta = typeof RunMeta.Type

/** One run: its description and its decoded records (in file order). */
export interface Run {
  readonly meta: RunMeta
  readonly records: ReadonlyArray<RunRecord>
}

const decodeMeta = Schema.decodeUnknownEither(RunMeta, { errors: "first" })

/** Decodes the report-relevant part of a parsed `run.json`; throws RecordsDecodeError naming the field. */
export const decodeRunMeta = (json: unknown, file = "run.json"): RunMeta => {
  const result = decodeMeta(json)
  if (Either.isRight(result)) return result.right
  const first = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
  throw new RecordsDecodeError({
    file,
    line: 0,
    field: first === undefined ? "" : first.path.map(String).join("."),
    expected: first === undefined ? "invalid run description" : first.message,
  })
}
