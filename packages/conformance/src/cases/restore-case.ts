import { CommandFailed } from "../kernel/run-command"
import { caseResult, type CaseResult } from "./case-result"
import type { ConformanceRun } from "./conformance-run"

/** The rule and chain lines of an iptables-save dump (no comments, table markers or COMMIT), in order. */
const saveLines = (text: string): ReadonlyArray<string> =>
  text.split("\n").filter((l) => l.startsWith("-A ") || l.startsWith(":"))

const ruleCount = (text: string): number => saveLines(text).filter((l) => l.startsWith("-A ")).length

const errorText = (e: unknown): string => (e instanceof CommandFailed ? e.stderr.trim() : (e as Error).message)

/**
 * Case 2 — kubesim's rules for `node` load into the real kernel with no error, both ways:
 * 1. kube-proxy's way (ConformanceRun.loadInitialRules): the jump rules (`iptables -N/-C/-I`) then the restore
 *    payload with `iptables-restore --noflush --counters`, into the kernel and into kubesim's Ruleset; loading
 *    it again changes nothing on either side (rules are ensured, not appended again).
 * 2. kubesim's `iptables-save` of its Ruleset, loaded with plain `iptables-restore` (replacing the node's
 *    tables, so every later case runs on the rules as kubesim printed them).
 * Then the kernel's own `iptables-save` must print exactly the rule and chain lines kubesim's does.
 */
export const restoreCase = (run: ConformanceRun, node: string): CaseResult => {
  const rules = run.initialRules.get(node)!
  const wanted = ruleCount(rules.payload) + rules.jumpRules.length
  const problems: Array<string> = []
  const fail = (kernel: string, problem: string) =>
    caseResult({ case: `iptables-restore ${node}`, kernel, kubesim: `${wanted} rules`, pValue: null }, [...problems, problem])
  const failed = run.loadInitialRules().get(node)
  if (failed !== undefined) return fail(`rejected: ${errorText(failed)}`, `kubesim's payload for ${node} did not load: ${errorText(failed)}`)
  const loaded = ruleCount(run.kernel.save(node))
  const kubesimLoaded = ruleCount(run.kubesim.save(node))
  if (loaded < wanted) problems.push(`kernel: iptables-save shows ${loaded} rules, fewer than the ${wanted} loaded`)
  for (const plane of run.planes) plane.load(node, rules)
  if (ruleCount(run.kernel.save(node)) !== loaded) problems.push(`kernel: loading the same sync twice changed the rule count`)
  if (ruleCount(run.kubesim.save(node)) !== kubesimLoaded) problems.push(`kubesim: loading the same sync twice changed the rule count`)
  const kubesimSave = run.kubesim.save(node)
  try {
    run.kernel.restore(node, kubesimSave)
  } catch (e) {
    return fail(`save form rejected: ${errorText(e)}`, `the kernel rejected kubesim's iptables-save for ${node}: ${errorText(e)}`)
  }
  const kernelLines = saveLines(run.kernel.save(node))
  const kubesimLines = saveLines(kubesimSave)
  const differing = kernelLines.filter((l, i) => kubesimLines[i] !== l).length + Math.max(0, kubesimLines.length - kernelLines.length)
  if (differing > 0) {
    const i = kernelLines.findIndex((l, j) => kubesimLines[j] !== l)
    problems.push(
      `iptables-save differs on ${differing} lines; first: kernel "${kernelLines[i] ?? "(end)"}" vs kubesim "${kubesimLines[i] ?? "(end)"}"`,
    )
  }
  return caseResult(
    {
      case: `iptables-restore ${node} (payload, then kubesim's save)`,
      kernel: `loaded; iptables-save ${ruleCount(run.kernel.save(node))} rules`,
      kubesim: `${wanted} rules; save ${ruleCount(kubesimSave)} rules, ${differing} lines differ`,
      pValue: null,
    },
    problems,
  )
}
