import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { describe, expect, it } from "vitest"
import { compareCommand } from "../src/commands/compare"
import { conntrackCommand } from "../src/commands/conntrack"
import { describeCommand } from "../src/commands/describe"
import { execCommand } from "../src/commands/exec"
import { getCommand } from "../src/commands/get"
import { iptablesSaveCommand } from "../src/commands/iptables-save"
import { ipvsadmCommand } from "../src/commands/ipvsadm"
import { logsCommand } from "../src/commands/logs"
import { nftListRulesetCommand } from "../src/commands/nft"
import { observeCommand } from "../src/commands/observe"
import { reportCommand } from "../src/commands/report"
import { runCommand, sweepCommand } from "../src/commands/run"
import { scenariosCommand } from "../src/commands/scenarios"
import { traceCommand } from "../src/commands/trace"
import { validateCommand } from "../src/commands/validate"
import { GROUPS, helpFor, helpRequest } from "../src/help/index"

// kubesim's help is written by hand (help/commands-help.ts) while @effect/cli parses: the flags each help lists must be
// exactly the flags its parser accepts, or the help lies.
const PARSERS = [runCommand, sweepCommand, reportCommand, compareCommand, getCommand, describeCommand, logsCommand, execCommand, observeCommand, conntrackCommand, iptablesSaveCommand, nftListRulesetCommand, ipvsadmCommand, traceCommand, scenariosCommand, validateCommand]

/** A parser's command name; `nft list ruleset`'s flags live on its leaf, named for the top command. */
const nameOf = (p: (typeof PARSERS)[number]): string =>
  p === nftListRulesetCommand ? "nft" : ([...Command.getNames(p as Command.Command<string, never, never, unknown>)][0] as string)

const parserFlags = (c: (typeof PARSERS)[number]): string[] => {
  const text = HelpDoc.toAnsiText(Command.getHelp(c as Command.Command<string, never, never, unknown>, CliConfig.defaultConfig)).replace(/\u001b\[[0-9;]*m/g, "")
  // The option headings: `--at text`, `(-o, --output wide | yaml)`.
  const headings = text.split("\n").filter((l) => /^\(?-/.test(l))
  // @effect/cli's built-in options (kubesim's top-level help lists --help and --version).
  const builtIn = new Set(["completions", "help", "log-level", "version", "wizard"])
  return [...new Set(headings.flatMap((l) => [...l.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] as string)))].filter((f) => !builtIn.has(f)).sort()
}

describe("help", () => {
  const all = GROUPS.flatMap(([, cs]) => cs)

  it("lists every command of the parser, each once", () => {
    expect(all.map((c) => c.name).sort()).toEqual(PARSERS.map(nameOf).sort())
  })

  for (const [i, p] of PARSERS.entries()) {
    const name = nameOf(p)
    it(`${name}: the help's flags are the parser's, each with a default and a description`, () => {
      const h = all.find((c) => c.name === name)
      expect(h, name).toBeDefined()
      expect(h?.flags.map((f) => f.name).sort()).toEqual(parserFlags(PARSERS[i] as (typeof PARSERS)[number]))
      for (const f of h?.flags ?? []) expect(f.default !== "" && f.description.endsWith("."), `${name} --${f.name}`).toBe(true)
    })
  }

  it("renders kubectl's layout: summary, Examples, Options with defaults, Usage; no @effect/cli boilerplate", () => {
    const text = helpFor("get") as string
    expect(text.split("\n")[0]).toBe("Display one or many resources at a simulated time, as kubectl get prints them.")
    expect(text).toMatch(/\nExamples:\n {2}# .+\n {2}kubesim get /)
    expect(text).toContain("\nOptions:\n    -A, --all-namespaces=false:\n\tList across all namespaces.\n")
    expect(text).toContain("    -n, --namespace='default':\n")
    expect(text).toMatch(/\nUsage:\n {2}kubesim get RESOURCE\[,RESOURCE\.\.\.\] \[NAME\.\.\.\] \[options\]\n/)
    for (const h of all) {
      const t = helpFor(h.name) as string
      expect(t).not.toMatch(/user-defined piece of text|--wizard|\$ run|This setting is optional/)
      expect(t.split("\n").length, h.name).toBeLessThan(70)
    }
    expect(helpFor("no-such")).toBeUndefined()
  })

  it("every example is a kubesim command with flags its parser knows", () => {
    const byName = new Map(PARSERS.map((p) => [nameOf(p), p] as const))
    for (const h of all) {
      for (const [, example] of h.examples) {
        const words = example.split(" ")
        const parser = byName.get(words[1] ?? "")
        expect(words[0] === "kubesim" && parser !== undefined, example).toBe(true)
        const flags = new Set(parserFlags(parser as (typeof PARSERS)[number]))
        const end = words.indexOf("--")
        for (const w of end < 0 ? words : words.slice(0, end)) if (w.startsWith("--")) expect(flags.has(w.slice(2)), `${example}: ${w}`).toBe(true)
      }
    }
  })

  it("is asked for by --help or -h before --, or by no arguments", () => {
    expect(helpRequest([])).toBe("")
    expect(helpRequest(["--help"])).toBe("")
    expect(helpRequest(["get", "-h"])).toBe("get")
    expect(helpRequest(["run", "x", "--help"])).toBe("run")
    expect(helpRequest(["exec", "busybox", "--", "ls", "--help"])).toBeUndefined()
    expect(helpRequest(["get", "pods"])).toBeUndefined()
  })
})
