import { formatIpv4, isSharedMap, thresholdProbability, type Chain, type Ruleset } from "../../net/index"
import { identityOf, servicePortChains, servicePortChainsOf, type ServicePortMap } from "../proxy/index"
import { servicePortName } from "../../records/index"

/** A service port's name in records (kube-proxy's ServicePortName.String()). */
export const servicePortText = servicePortName

/**
 * The share of ClusterIP traffic each endpoint gets from a node's nat rules, for every service port the proxier
 * knows: an analytic walk of the service's KUBE-SVC chain in the installed Ruleset. A `statistic --mode random`
 * rule matches with exactly threshold / 2^31 (xt_statistic.c statistic_mt compares `get_random_u32() & 0x7FFFFFFF`
 * with the threshold libxt_statistic.c stored), so the shares are the kernel's, not the 1/n kube-proxy wrote.
 * Affinity `--rcheck` rules are skipped (a fresh client has no recent entry); the KUBE-MARK-MASQ jump does not end
 * the walk (it returns). Service ports without endpoints (no KUBE-SVC chain) are left out.
 */
export const endpointShares = (ruleset: Ruleset, services: ServicePortMap, memo?: SharesMemo): Record<string, Record<string, number>> => {
  const found: Array<readonly [string, Record<string, number>]> = []
  for (const [key, svc] of services) {
    const known = memo?.get(key)
    // The chain name is a hash of the service port: computed once per port, not per sync.
    const chainName = known?.chainName ?? servicePortChains(svc.name.text, svc.protocolLower).cluster
    const chain = ruleset.chain("nat", chainName)
    if (chain === undefined) {
      if (known === undefined) memo?.set(key, { chainName, chain: undefined, entry: null })
      continue
    }
    // A KUBE-SVC chain object is replaced whenever a restore writes it (its SEP targets name their endpoints), so
    // an unchanged chain has unchanged shares: partial syncs re-walk only the service ports they rewrote.
    let entry: Record<string, number> | null
    if (known !== undefined && known.chain === chain) entry = known.entry
    else {
      entry = sharesEntry(walk(ruleset, chain))
      memo?.set(key, { chainName, chain, entry })
    }
    if (entry !== null) found.push([key, entry])
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const out: Record<string, Record<string, number>> = {}
  for (const [key, entry] of found) {
    const svc = services.get(key) as NonNullable<ReturnType<ServicePortMap["get"]>>
    out[servicePortText(svc.name.namespace, svc.name.name, svc.name.port)] = entry
  }
  return out
}

/** What `endpointShares` last computed per service port, with the chain object it walked. */
export type SharesMemo = Map<string, { readonly chainName: string; readonly chain: Chain | undefined; readonly entry: Record<string, number> | null }>

interface RecordedShares {
  readonly chainName: string
  readonly chain: Chain | undefined
  readonly entry: Record<string, number> | null
  /** What the node's last `rules` record said for this port (kept while the port has no chain). */
  readonly recorded: Record<string, number> | undefined
}

/** Per service port: the chain last walked, its shares, and the shares last recorded (entries never change in place). */
export type RecordedSharesMemo = Map<string, RecordedShares>

/**
 * The `rules` record's shares: `endpointShares` restricted to the ports whose shares differ from what `memo`
 * says was last recorded (and remembered as recorded), in the same (service port key) order. Walks only the
 * KUBE-SVC chains a restore replaced since; an unchanged port costs two map lookups and allocates nothing.
 */
export const changedEndpointShares = (
  ruleset: Ruleset,
  services: ServicePortMap,
  sortedKeys: ReadonlyArray<string>,
  memo: RecordedSharesMemo,
): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {}
  const nat = ruleset.table("nat")?.chains
  for (const key of sortedKeys) {
    const svc = services.get(key)
    if (svc === undefined) continue
    let m = memo.get(key)
    if (m === undefined) memo.set(key, (m = { chainName: servicePortChainsOf(svc).cluster, chain: undefined, entry: null, recorded: undefined }))
    const chain = nat?.get(m.chainName)
    if (chain === undefined) continue
    if (m.chain !== chain) memo.set(key, (m = { ...m, chain, entry: sharedWalk(ruleset, chain) }))
    const entry = m.entry
    if (entry === null) continue
    if (m.recorded !== undefined && (m.recorded === entry || sameShares(m.recorded, entry))) continue
    memo.set(key, { ...m, recorded: entry })
    out[servicePortText(svc.name.namespace, svc.name.name, svc.name.port)] = entry
  }
  return out
}

/**
 * What a node's `rules` records have said, per service port, as a value nodes in step share (issue 13: per-node
 * memory for what is the same on every node). A shared ledger never changes; recording from it onto a shared
 * nat table (which never changes either) is memoised by the table, the service ports and the sets of chains the
 * restores since wrote, so every node making the same step takes the same shares and the same next ledger. A
 * node whose table is its own records on a ledger of its own, in place.
 */
export class SharesLedger {
  private readonly steps = new WeakMap<object, WeakMap<object, Map<string, { readonly next: SharesLedger; readonly shares: Record<string, Record<string, number>> }>>>()

  constructor(
    readonly ports: RecordedSharesMemo,
    readonly shared: boolean,
  ) {}

  /** The ledger that has recorded nothing: one for every node (its steps are keyed by each cluster's own tables). */
  static empty(): SharesLedger {
    return EMPTY_LEDGER
  }

  /**
   * `changedEndpointShares` for the ports `keys` gives (from the chains `written` since the last record; null:
   * unknown), from this ledger: the record's shares and the ledger to hold next.
   */
  record(
    ruleset: Ruleset,
    services: ServicePortMap,
    written: ReadonlyArray<ReadonlySet<string>> | null,
    keys: () => ReadonlyArray<string>,
  ): { readonly next: SharesLedger; readonly shares: Record<string, Record<string, number>> } {
    const nat = ruleset.table("nat")?.chains
    if (!this.shared) return { next: this, shares: changedEndpointShares(ruleset, services, keys(), this.ports) }
    if (nat === undefined || !isSharedMap(nat)) {
      const own = new SharesLedger(new Map(this.ports), false)
      return { next: own, shares: changedEndpointShares(ruleset, services, keys(), own.ports) }
    }
    let byServices = this.steps.get(nat)
    if (byServices === undefined) this.steps.set(nat, (byServices = new WeakMap()))
    let byWritten = byServices.get(services)
    if (byWritten === undefined) byServices.set(services, (byWritten = new Map()))
    const key = written === null ? "*" : written.map(identityOf).join(",")
    const known = byWritten.get(key)
    if (known !== undefined) return known
    const ports = new Map(this.ports)
    const step = { next: new SharesLedger(ports, true), shares: changedEndpointShares(ruleset, services, keys(), ports) }
    byWritten.set(key, step)
    return step
  }
}

const EMPTY_LEDGER = new SharesLedger(new Map(), true)

/** Two share maps with the same endpoints and values (in the same, sorted, order). */
export const sameShares = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
}

/** A KUBE-SVC chain's shares with the KUBE-SEP chains they were read from (chains shared between nodes). */
const walks = new WeakMap<Chain, { readonly visited: ReadonlyArray<readonly [string, Chain | undefined]>; readonly entry: Record<string, number> | null }>()

/**
 * `walk` of a KUBE-SVC chain, shared by every node holding the same chain object and the same KUBE-SEP chain
 * objects (net/netfilter chain-share.ts installs them by reference): one walk and one record entry for them all.
 */
const sharedWalk = (ruleset: Ruleset, chain: Chain): Record<string, number> | null => {
  const known = walks.get(chain)
  if (known !== undefined && known.visited.every(([name, sep]) => ruleset.chain("nat", name) === sep)) return known.entry
  const visited: Array<readonly [string, Chain | undefined]> = []
  const entry = sharesEntry(walk(ruleset, chain, visited))
  if (known === undefined) walks.set(chain, { visited, entry })
  return entry
}

const sharesEntry = (shares: Map<string, number>): Record<string, number> | null => {
  if (shares.size === 0) return null
  const entry: Record<string, number> = {}
  for (const ep of [...shares.keys()].sort()) entry[ep] = shares.get(ep) as number
  return entry
}

const walk = (ruleset: Ruleset, chain: Chain, visited?: Array<readonly [string, Chain | undefined]>): Map<string, number> => {
  const shares = new Map<string, number>()
  let remaining = 1
  for (const r of chain.rules) {
    if (r.target.kind !== "chain" || r.target.chain === "KUBE-MARK-MASQ") continue
    let p = 1
    let skip = false
    for (const m of r.matches) {
      if (m.kind === "recent") skip = true
      else if (m.kind === "statistic" && m.mode === "random") p = m.invert ? 1 - thresholdProbability(m.probability) : thresholdProbability(m.probability)
    }
    // Source/destination restrictions (e.g. a rule only for traffic from outside) would make the share depend on
    // the client; kube-proxy's KUBE-SVC endpoint jumps carry none.
    if (skip || r.src !== null) continue
    const sep = ruleset.chain("nat", r.target.chain)
    visited?.push([r.target.chain, sep])
    const dest = dnatDestination(sep)
    const share = remaining * Math.min(1, p)
    if (dest !== undefined && share > 0) shares.set(dest, (shares.get(dest) ?? 0) + share)
    remaining -= share
    if (remaining <= 0) break
  }
  return shares
}

const dnatDestination = (sep: Chain | undefined): string | undefined => {
  for (const r of sep?.rules ?? []) {
    if (r.target.kind === "DNAT" && r.target.to.ip !== null) {
      return `${formatIpv4(r.target.to.ip)}:${r.target.to.portMin ?? 0}`
    }
  }
  return undefined
}
