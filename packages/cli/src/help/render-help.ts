/**
 * Help as kubectl prints it (staging/src/k8s.io/kubectl/pkg/util/templates/templates.go, `MainUsageTemplate`):
 * the command's one-line description (and a paragraph), `Examples:`, `Options:` — each flag as
 * `    -n, --namespace='default':` with its default, then its description on the next line after a tab —,
 * `Usage:`, and the pointer to the command list. kubesim keeps @effect/cli for parsing and prints this instead
 * of its generic help (see run-cli.ts).
 */
export interface FlagHelp {
  /** `--namespace`; with `short`: `-n, --namespace`. */
  readonly name: string
  readonly short?: string
  /** The default as kubectl shows it: `'default'`, `false`, `[]`, `0`. */
  readonly default: string
  readonly description: string
}

export interface CommandHelp {
  readonly name: string
  /** One line: what the command does. */
  readonly summary: string
  /** A paragraph more, when the line is not enough. */
  readonly long?: string
  /** `kubesim get RESOURCE [NAME] [options]`. */
  readonly usage: string
  readonly examples: ReadonlyArray<readonly [comment: string, command: string]>
  readonly flags: ReadonlyArray<FlagHelp>
}

const flagLine = (f: FlagHelp): string => `    ${f.short === undefined ? "" : `-${f.short}, `}--${f.name}=${f.default}:\n\t${f.description}`

/** One command's help text. */
export const renderCommandHelp = (h: CommandHelp): string => {
  const out = [h.summary, ""]
  if (h.long !== undefined) out.push(...h.long.split("\n").map((l) => ` ${l}`), "")
  if (h.examples.length > 0) {
    out.push("Examples:")
    h.examples.forEach(([comment, command], i) => {
      if (i > 0) out.push("")
      out.push(`  # ${comment}`, `  ${command}`)
    })
    out.push("")
  }
  if (h.flags.length > 0) {
    out.push("Options:", ...h.flags.map(flagLine), "")
  }
  out.push("Usage:", `  ${h.usage}`, "", `Use "kubesim --help" for the list of commands.`)
  return `${out.join("\n")}\n`
}

/** `kubesim --help`: kubectl's command list (`Basic Commands (Beginner):` groups), name and summary aligned. */
export const renderTopHelp = (summary: string, groups: ReadonlyArray<readonly [string, ReadonlyArray<CommandHelp>]>, version: string): string => {
  const width = Math.max(...groups.flatMap(([, cs]) => cs.map((c) => c.name.length))) + 3
  const out = [summary, "", ` kubesim ${version}: the same YAML you kubectl apply, simulated deterministically.`, ""]
  for (const [title, cs] of groups) {
    out.push(`${title}:`)
    for (const c of cs) out.push(`  ${c.name.padEnd(width)}${c.summary}`)
    out.push("")
  }
  out.push(
    "Options:",
    "    --help=false:\n\tShow help for kubesim or a command.",
    "    --version=false:\n\tPrint the version.",
    "    --verbose=false:\n\tOn an error, add detail (the stack of an internal error).",
    "",
    "Usage:",
    "  kubesim [command] [options]",
    "",
    `Use "kubesim <command> --help" for more information about a given command.`,
  )
  return `${out.join("\n")}\n`
}
