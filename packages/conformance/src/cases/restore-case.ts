import { CommandFailed } from "../kernel/run-command"
import { caseResult, type CaseResult } from "./case-result"
import type { ConformanceRun } from "./conformance-run"

const ruleCount = (text: string): number => text.split("\n").filter((l) => l.startsWith("-A ")).length

/**
 * kubesim's rules for `node` load into the real kernel with no error: the jump rules with `iptables -N/-C/-I`
 * and the restore payload with `iptables-restore --noflush --counters`, as kube-proxy does. The kernel's own
 * `iptables-save` must then hold at least every rule of the payload.
 */
export const restoreCase = (run: ConformanceRun, node: string): CaseResult => {
  const rules = run.initialRules.get(node)!
  const wanted = ruleCount(rules.payload) + rules.jumpRules.length
  try {
    run.loadInitialRules(node)
  } catch (e) {
    const message = e instanceof CommandFailed ? e.stderr.trim() : (e as Error).message
    return caseResult(
      { case: `iptables-restore ${node}`, kernel: `rejected: ${message}`, kubesim: `${wanted} rules`, pValue: null },
      [`the kernel rejected kubesim's rules for ${node}: ${message}`],
    )
  }
  const saved = ruleCount(run.kernel.save(node))
  const problems = saved < wanted ? [`iptables-save shows ${saved} rules, fewer than the ${wanted} loaded`] : []
  // A second identical sync must leave the kernel as it was: jump rules are ensured, not appended again.
  run.loadInitialRules(node)
  const again = ruleCount(run.kernel.save(node))
  if (again !== saved) problems.push(`loading the same rules twice changed the rule count from ${saved} to ${again}`)
  return caseResult(
    { case: `iptables-restore ${node}`, kernel: `loaded, iptables-save has ${saved} rules`, kubesim: `${wanted} rules`, pValue: null },
    problems,
  )
}
