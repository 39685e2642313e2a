/**
 * The shell loop the seed walkthrough runs in its busybox pod, recognised so the kubelet can start the matching
 * client: `while true; do wget -q -O - URL; sleep N; done` (given as `sh -c "<loop>"`). A small, honest parser of
 * exactly that idiom — whitespace-tolerant, `;` or newlines between commands, wget's flags in any order among
 * `-q`, `-O -`, `-O-` and `-T secs` (busybox wget's network timeout, networking/wget.c) — not a shell.
 */
export interface WgetLoop {
  readonly url: string
  /** Seconds slept between requests (busybox `sleep` takes fractions). */
  readonly sleepSeconds: number
  /** `-T`: busybox wget's timeout for each network read and connect; busybox's default is 900 s. */
  readonly timeoutSeconds: number
}

/** busybox networking/wget.c: `G.timeout_seconds = 900` unless `-T` is given. */
export const BUSYBOX_WGET_DEFAULT_TIMEOUT_SECONDS = 900

/** The shell text of a container command: `sh -c TEXT` (or `/bin/sh -c`), else undefined. */
export const shellScript = (command: ReadonlyArray<string> | undefined, args: ReadonlyArray<string> | undefined): string | undefined => {
  const argv = [...(command ?? []), ...(args ?? [])]
  const sh = argv[0]
  if ((sh === "sh" || sh === "/bin/sh") && argv[1] === "-c" && argv[2] !== undefined) return argv[2]
  return undefined
}

/** Parses the wget loop; undefined when the script is anything else (the container then just runs). */
export const parseWgetLoop = (script: string): WgetLoop | undefined => {
  const m = /^\s*while\s+(?:true|:)\s*[;\n]\s*do\s+([\s\S]*?)\s*[;\n]\s*done\s*;?\s*$/.exec(script)
  if (m === null) return undefined
  const body = (m[1] as string).split(/\s*[;\n]\s*/).filter((s) => s !== "")
  if (body.length !== 2) return undefined
  const wget = (body[0] as string).split(/\s+/)
  const sleep = (body[1] as string).split(/\s+/)
  if (sleep.length !== 2 || sleep[0] !== "sleep") return undefined
  const sleepSeconds = Number(sleep[1])
  if (!/^\d+(\.\d+)?$/.test(sleep[1] as string) || !Number.isFinite(sleepSeconds)) return undefined
  if (wget[0] !== "wget") return undefined
  let url: string | undefined
  let quiet = false
  let toStdout = false
  let timeoutSeconds = BUSYBOX_WGET_DEFAULT_TIMEOUT_SECONDS
  for (let i = 1; i < wget.length; i++) {
    const w = wget[i] as string
    if (w === "-q") quiet = true
    else if (w === "-O-" || (w === "-O" && wget[i + 1] === "-")) {
      toStdout = true
      if (w === "-O") i++
    } else if (w === "-T" && wget[i + 1] !== undefined && /^\d+$/.test(wget[i + 1] as string)) {
      timeoutSeconds = Number(wget[++i])
    } else if (!w.startsWith("-") && url === undefined) url = w.replace(/^(["'])(.*)\1$/, "$2")
    else return undefined
  }
  if (url === undefined || !quiet || !toStdout) return undefined
  return { url, sleepSeconds, timeoutSeconds }
}
