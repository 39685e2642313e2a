import { splitRuleArgs, type JumpRuleText, type NodeRules } from "../rules/node-rules"
import type { KernelTopology } from "./kernel-topology"
import { CommandFailed } from "./run-command"

/**
 * Applies one kube-proxy sync to a node namespace as kube-proxy does it: EnsureChain + EnsureRule(Prepend) for
 * each jump rule (pkg/util/iptables/iptables.go: `iptables -N`, `-C`, else `-I`), then
 * `iptables-restore --noflush --counters` with the payload (pkg/proxy/iptables/proxier.go syncProxyRules).
 * Jump rules whose target chain does not exist yet cannot be present, so they are created and prepended in
 * one `iptables-restore --noflush` (same result, one process instead of three per rule).
 * Throws CommandFailed with iptables' own message when the kernel or iptables rejects anything.
 */
export const loadNodeRules = (topo: KernelTopology, node: string, rules: NodeRules): void => {
  if (rules.jumpRules.length > 0) ensureJumpRules(topo, node, rules.jumpRules)
  topo.restore(node, rules.payload, { noflush: true, counters: true })
}

const ensureJumpRules = (topo: KernelTopology, node: string, jumps: ReadonlyArray<JumpRuleText>): void => {
  const existing = new Set<string>()
  let table = ""
  for (const line of topo.save(node).split("\n")) {
    if (line.startsWith("*")) table = line.slice(1)
    else if (line.startsWith(":")) existing.add(`${table} ${line.slice(1).split(" ")[0]}`)
  }
  const fresh = new Map<string, Array<string>>()
  const later: Array<JumpRuleText> = []
  for (const j of jumps) {
    if (existing.has(`${j.table} ${j.dstChain}`)) {
      later.push(j)
      continue
    }
    const lines = fresh.get(j.table) ?? []
    if (!lines.includes(`:${j.dstChain} - [0:0]`)) lines.unshift(`:${j.dstChain} - [0:0]`)
    lines.push(`-I ${j.srcChain} ${j.args}`)
    fresh.set(j.table, lines)
  }
  if (fresh.size > 0) {
    const text = [...fresh].map(([t, lines]) => `*${t}\n${lines.join("\n")}\nCOMMIT\n`).join("")
    topo.restore(node, text, { noflush: true })
  }
  for (const j of later) {
    const args = splitRuleArgs(j.args)
    try {
      topo.execInNode(node, ["iptables", "-w", "-t", j.table, "-C", j.srcChain, ...args])
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e
      topo.execInNode(node, ["iptables", "-w", "-t", j.table, "-I", j.srcChain, ...args])
    }
  }
}
