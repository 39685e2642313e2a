import { isServiceChainName } from "./chain-names"

/**
 * Stale service chains, memoised by the node's nat chain-name set and the sync's active chains (both values
 * shared by the nodes in step: a 1,000-node cluster asks each question once per round, not once per node, and
 * the walk is over every chain of the table — ~55k at 5,000 Services).
 */
const byNames = new WeakMap<object, WeakMap<ReadonlySet<string>, ReadonlyArray<string>>>()

/**
 * proxier.go syncProxyRules' stale chain cleanup: the service chains (isServiceChainName) the node's nat table
 * lists that this sync's rules do not use, sorted (upstream walks a Go set in random order; sorted here for a
 * deterministic payload). `names` identifies the set of names `existing` yields, when the node can say
 * (net/netfilter `chainNamesOf`: the same object exactly while the names are the same).
 */
export const staleServiceChains = (existing: Iterable<string>, active: ReadonlySet<string>, names: object | undefined): ReadonlyArray<string> => {
  let memo: WeakMap<ReadonlySet<string>, ReadonlyArray<string>> | undefined
  if (names !== undefined) {
    memo = byNames.get(names)
    const known = memo?.get(active)
    if (known !== undefined) return known
  }
  const deleted: string[] = []
  for (const chain of existing) if (!active.has(chain) && isServiceChainName(chain)) deleted.push(chain)
  deleted.sort()
  if (names !== undefined) {
    if (memo === undefined) byNames.set(names, (memo = new WeakMap()))
    memo.set(active, deleted)
  }
  return deleted
}
