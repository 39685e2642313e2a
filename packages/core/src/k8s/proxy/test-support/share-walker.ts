/**
 * A minimal analytic walker over a restore payload's nat rules (tests only, until the netfilter evaluator
 * lands): from a service chain, the probability that a new connection ends in each DNAT destination, using the
 * kernel's arithmetic. iptables stores `--probability p` as lround(p · 2^31) (libxt_statistic.c
 * statistic_parse) and the kernel matches when (get_random_u32() & 0x7FFFFFFF) < that (xt_statistic.c), so a
 * rule matches with probability threshold / 2^31 exactly.
 */
const TWO_31 = 2 ** 31

export const threshold = (p: number): number => Math.round(p * TWO_31)

/** Rules of each nat chain, in order. */
export const natChains = (payload: string): Map<string, string[]> => {
  const nat = payload.split("*nat\n")[1] ?? ""
  const chains = new Map<string, string[]>()
  for (const line of nat.split("\n")) {
    if (line.startsWith(":")) chains.set(line.slice(1, line.indexOf(" ")), [])
    else if (line.startsWith("-A ")) {
      const name = line.slice(3, line.indexOf(" ", 3))
      chains.get(name)?.push(line)
    }
  }
  return chains
}

const target = (rule: string): string | undefined => / -j (\S+)/.exec(rule)?.[1]

/** Destination (ip:port) → probability of a fresh client (no affinity entry) landing there from `chain`. */
export const endpointShares = (chains: Map<string, string[]>, chain: string): Map<string, number> => {
  const shares = new Map<string, number>()
  let remaining = 1
  for (const rule of chains.get(chain) ?? []) {
    const jump = target(rule)
    if (jump === undefined || jump === "KUBE-MARK-MASQ") continue
    // An affinity check (--rcheck) never matches for a client with no recent entry.
    if (rule.includes(" --rcheck ")) continue
    const prob = / --probability (\S+)/.exec(rule)?.[1]
    const p = prob === undefined ? 1 : threshold(Number(prob)) / TWO_31
    const share = remaining * p
    remaining -= share
    const dnat = (chains.get(jump) ?? []).map((r) => / --to-destination (\S+)/.exec(r)?.[1]).find((d) => d !== undefined)
    if (dnat === undefined) throw new Error(`chain ${jump} (from ${chain}) has no DNAT rule`)
    shares.set(dnat, (shares.get(dnat) ?? 0) + share)
    if (prob === undefined) break
  }
  return shares
}
