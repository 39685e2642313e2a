/** Terminal conventions: NO_COLOR (https://no-color.org) and non-TTY output get no ANSI escapes. */
const ANSI = /\u001b\[[0-9;]*m/g

export const colorEnabled = (stream: NodeJS.WriteStream): boolean => {
  const noColor = process.env["NO_COLOR"]
  return (noColor === undefined || noColor === "") && stream.isTTY === true
}

/** Makes every later write to `stream` drop ANSI colour sequences when colour is off. */
export const stripColorWhenDisabled = (stream: NodeJS.WriteStream): void => {
  if (colorEnabled(stream)) return
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean =>
    write(typeof chunk === "string" ? chunk.replace(ANSI, "") : chunk, ...rest)) as typeof stream.write
}
