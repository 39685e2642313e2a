import { CommandFailed } from "../kernel/run-command"
import { caseResult, type CaseResult } from "./case-result"
import type { ConformanceRun } from "./conformance-run"

const errorText = (e: unknown): string => (e instanceof CommandFailed ? e.stderr.trim() : (e as Error).message)

/** Rules in an `nft list ruleset` listing (lines inside chains that are not the chain's type/comment line). */
const ruleLines = (text: string): ReadonlyArray<string> => {
  const out: string[] = []
  let inChain = false
  for (const l of text.split("\n")) {
    if (l.startsWith("\tchain ")) inChain = true
    else if (l === "\t}") inChain = false
    else if (inChain && l.startsWith("\t\t") && !l.startsWith("\t\ttype ") && !l.startsWith("\t\tcomment ")) out.push(l.trim())
  }
  return out
}

/**
 * nftables: kubesim's first sync for `node` loads into the real kernel with `nft -f` (kube-proxy's way) and
 * into kubesim's nftables; running it again changes nothing on either side (a full sync flushes what it
 * rewrites). Then kubesim's own `nft list ruleset` is loaded into the kernel (after `flush ruleset`) and the
 * kernel's `nft list ruleset` must equal kubesim's, byte for byte.
 */
export const nftRestoreCase = (run: ConformanceRun, node: string): CaseResult => {
  const rules = run.initialRules.get(node)!
  const problems: Array<string> = []
  const fail = (kernel: string, problem: string) => caseResult({ case: `nft -f ${node}`, kernel, kubesim: "-", pValue: null }, [...problems, problem])
  const failed = run.loadInitialRules().get(node)
  if (failed !== undefined) return fail(`rejected: ${errorText(failed)}`, `kubesim's transaction for ${node} did not load: ${errorText(failed)}`)
  const kernelFirst = run.kernel.nftList(node)
  const kubesimFirst = run.kubesim.nftList(node)
  for (const plane of run.planes) plane.load(node, rules)
  if (run.kernel.nftList(node) !== kernelFirst) problems.push("kernel: running the same transaction twice changed the ruleset")
  if (run.kubesim.nftList(node) !== kubesimFirst) problems.push("kubesim: running the same transaction twice changed the ruleset")
  const listing = run.kubesim.nftList(node)
  try {
    run.kernel.nftApply(node, `flush ruleset\n${listing}`)
  } catch (e) {
    return fail(`listing rejected: ${errorText(e)}`, `the kernel rejected kubesim's nft list ruleset for ${node}: ${errorText(e)}`)
  }
  const kernelLines = run.kernel.nftList(node).split("\n")
  const kubesimLines = listing.split("\n")
  const differing = kernelLines.filter((l, i) => kubesimLines[i] !== l).length + Math.max(0, kubesimLines.length - kernelLines.length)
  if (differing > 0) {
    const i = kernelLines.findIndex((l, j) => kubesimLines[j] !== l)
    problems.push(`nft list ruleset differs on ${differing} lines; first (line ${i + 1}): kernel "${kernelLines[i] ?? "(end)"}" vs kubesim "${kubesimLines[i] ?? "(end)"}"`)
  }
  return caseResult(
    {
      case: `nft -f ${node} (transaction, then kubesim's listing)`,
      kernel: `loaded; ${ruleLines(kernelFirst).length} rules`,
      kubesim: `${ruleLines(listing).length} rules; ${differing} lines differ`,
      pValue: null,
    },
    problems,
  )
}
