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
 * 1. kube-proxy's way: the jump rules (`iptables -N/-C/-I`) then the restore payload with
 *    `iptables-restore --noflush --counters`; loading it twice changes nothing (rules are ensured, not
 *    appended again); the same sync is applied to kubesim's Ruleset.
 * 2. kubesim's `iptables-save` of the resulting Ruleset, loaded with plain `iptables-restore` (replacing
 *    the node's tables, so every later case runs on the rules as kubesim printed them).
 * Then the kernel's own `iptables-save` must print exactly the rule lines kubesim's does.
 */
export const restoreCase = (run: ConformanceRun, node: string): CaseResult => {
  const rules = run.initialRules.get(node)!
  const wanted = ruleCount(rules.payload) + rules.jumpRules.length
  const problems: Array<string> = []
  const fail = (kernel: string, problem: string) =>
    caseResult({ case: `iptables-restore ${node}`, kernel, kubesim: `${wanted} rules`, pValue: null }, [...problems, problem])
  const [kernelPlane, kubesimPlane] = run.planes
  try {
    kernelPlane.load(node, rules)
  } catch (e) {
    return fail(`rejected: ${errorText(e)}`, `the kernel rejected kubesim's payload for ${node}: ${errorText(e)}`)
  }
  const loaded = ruleCount(run.kernel.save(node))
  if (loaded < wanted) problems.push(`iptables-save shows ${loaded} rules, fewer than the ${wanted} loaded`)
  kernelPlane.load(node, rules)
  const twice = ruleCount(run.kernel.save(node))
  if (twice !== loaded) problems.push(`loading the same rules twice changed the rule count from ${loaded} to ${twice}`)
  try {
    kubesimPlane.load(node, rules)
  } catch (e) {
    return fail(`loaded ${loaded} rules`, `kubesim rejected its own payload for ${node}: ${errorText(e)}`)
  }
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
