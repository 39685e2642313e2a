import { spawnSync } from "node:child_process"

/** A system command (ip, iptables-restore, …) that exited non-zero or could not start. */
export class CommandFailed extends Error {
  constructor(
    readonly argv: ReadonlyArray<string>,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`command failed (exit ${status ?? "none"}): ${argv.join(" ")}\n${stderr.trim()}`)
    this.name = "CommandFailed"
  }
}

export interface CommandOutput {
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `argv` to completion (no shell, so nothing is re-parsed) and returns its output; throws CommandFailed
 * naming the command and its stderr when it exits non-zero. `input` is written to its stdin.
 */
export const runCommand = (argv: ReadonlyArray<string>, input?: string): CommandOutput => {
  const [file, ...args] = argv
  if (file === undefined) throw new Error("runCommand: empty argv")
  const r = spawnSync(file, args, { input: input ?? "", encoding: "utf8", timeout: 30_000 })
  if (r.error !== undefined) throw new CommandFailed(argv, null, String(r.error.message))
  if (r.status !== 0) throw new CommandFailed(argv, r.status, r.stderr)
  return { stdout: r.stdout, stderr: r.stderr }
}

/** Like runCommand but reports failure as a value: for probes and best-effort teardown. */
export const tryCommand = (argv: ReadonlyArray<string>, input?: string): CommandOutput | CommandFailed => {
  try {
    return runCommand(argv, input)
  } catch (e) {
    if (e instanceof CommandFailed) return e
    throw e
  }
}
