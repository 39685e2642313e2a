import { Data } from "effect"

/**
 * A run record or run description that does not match docs/records.md: names the file, the line (1-based; 0 for
 * a whole-file problem), the field path and what was expected.
 */
export class RecordsDecodeError extends Data.TaggedError("RecordsDecodeError")<{
  readonly file: string
  readonly line: number
  readonly field: string
  readonly expected: string
}> {
  override get message(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}` : this.file
    const field = this.field === "" ? "" : ` field "${this.field}":`
    return `${where}:${field} ${this.expected}`
  }
}
