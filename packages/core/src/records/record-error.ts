/** A record that does not fit docs/records.md; the message names where (source:line), the kind and the field. */
export class RecordError extends Error {
  override readonly name = "RecordError"
}
