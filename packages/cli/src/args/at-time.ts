import { DurationParseError, parseDuration, type Nanos } from "@kubesim/core"

/** A flag's value that is not a Go duration; the message names the flag (`--at: invalid duration "x": …`). */
export class AtSyntaxError extends Error {
  override readonly name = "AtSyntaxError"
}

/** A duration flag (`--at 30s`, `--duration 2m`): a Go duration (the kernel's parseDuration, Go's time.ParseDuration). */
export const parseDurationFlag = (flag: string, text: string): Nanos => {
  try {
    return parseDuration(text)
  } catch (e) {
    if (e instanceof DurationParseError) throw new AtSyntaxError(`${flag}: ${e.message}`)
    throw e
  }
}

/** `--at 30s`: a Go duration from the start of the run. */
export const parseAt = (text: string): Nanos => parseDurationFlag("--at", text)
