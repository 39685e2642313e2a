import type { ConformanceCluster } from "../cluster/conformance-cluster"

/**
 * A rule kube-proxy keeps at the top of a built-in chain (utiliptables EnsureChain + EnsureRule(Prepend)),
 * ensured before each full-sync restore: pkg/proxy/iptables/proxier.go iptablesJumpChains.
 */
export interface JumpRuleText {
  readonly table: "filter" | "nat"
  readonly srcChain: string
  readonly dstChain: string
  /** The rule after `-A <srcChain>`, comments double-quoted, as kube-proxy passes it. */
  readonly args: string
}

/** What one kube-proxy sync hands the kernel: jump rules to ensure (full syncs) and the restore payload. */
export interface NodeRules {
  readonly jumpRules: ReadonlyArray<JumpRuleText>
  /** Text for `iptables-restore --noflush --counters` (kube-proxy's restore payload, both tables). */
  readonly payload: string
  /**
   * The UDP conntrack cleanup kube-proxy runs once this restore succeeded (pkg/proxy/conntrack/cleanup.go
   * CleanStaleEntries; only after a UDP service port's endpoints changed): each `ip:port` service frontend →
   * its serving endpoint IPs, and each NodePort → the same. Entries to a frontend whose reply source is not one
   * of those are deleted.
   */
  readonly conntrack?: UdpCleanup
}

export interface UdpCleanup {
  readonly serviceIPs: ReadonlyMap<string, ReadonlySet<string>>
  readonly nodePorts: ReadonlyMap<number, ReadonlySet<string>>
}

/**
 * kube-proxy on one node: each `sync` takes the whole cluster state as it now is and returns what that sync
 * writes (a partial payload after the first). Implemented over kubesim's iptables proxier.
 */
export interface NodeRuleSource {
  sync(cluster: ConformanceCluster): NodeRules
}

export type RuleSourceFactory = (cluster: ConformanceCluster, nodeName: string) => NodeRuleSource

/** Splits iptables arguments on spaces, keeping "double quoted" words whole (quotes removed), like a shell. */
export const splitRuleArgs = (args: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  const re = /"([^"]*)"|(\S+)/g
  for (let m = re.exec(args); m !== null; m = re.exec(args)) out.push(m[1] ?? m[2]!)
  return out
}
