import { DurationParseError, parseDuration, type Nanos } from "@kubesim/core"

export class AtSyntaxError extends Error {
  override readonly name = "AtSyntaxError"
}

/** `--at 30s`: a Go duration from the start of the run (the kernel's parseDuration, Go's time.ParseDuration). */
export const parseAt = (text: string): Nanos => {
  try {
    return parseDuration(text)
  } catch (e) {
    if (e instanceof DurationParseError) throw new AtSyntaxError(`--at: ${e.message}`)
    throw e
  }
}
