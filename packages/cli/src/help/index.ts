import { KUBESIM_VERSION } from "../version"
import { GROUPS } from "./commands-help"
import { renderCommandHelp, renderTopHelp } from "./render-help"

export { GROUPS } from "./commands-help"
export type { CommandHelp, FlagHelp } from "./render-help"

/**
 * The help the command line asks for: `""` for kubesim's own (no arguments, or `--help`/`-h` before any command),
 * a command's name for `kubesim CMD --help`; undefined when no help is asked (flags after `--` are the pod's).
 */
export const helpRequest = (args: ReadonlyArray<string>): string | undefined => {
  if (args.length === 0) return ""
  const end = args.indexOf("--")
  const before = end < 0 ? args : args.slice(0, end)
  if (!before.some((a) => a === "--help" || a === "-h")) return undefined
  return before.find((a) => !a.startsWith("-")) ?? ""
}

/** The help text for kubesim (`""`) or a command; undefined for a name that is no command. */
export const helpFor = (command: string): string | undefined => {
  if (command === "") return renderTopHelp("kubesim simulates Kubernetes Service networking: pods, Services, kube-proxy, conntrack, CoreDNS.", GROUPS, KUBESIM_VERSION)
  const h = GROUPS.flatMap(([, cs]) => cs).find((c) => c.name === command)
  return h === undefined ? undefined : renderCommandHelp(h)
}
