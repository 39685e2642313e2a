import type { Ipv4 } from "../addr/index"
import type { Nanos } from "../../sim/index"
import { NANOS_PER_SECOND } from "../../sim/index"
import type { RecentMatch } from "./model"

/**
 * xt_recent state of one network namespace, following net/netfilter/xt_recent.c:
 * - a list ("table") per `--name`, created by the first rule that uses it, with the `--mask` of that rule;
 * - at most `ip_list_tot` = 100 addresses per list; inserting into a full list evicts the least recently
 *   seen entry (`recent_entry_init`);
 * - each entry keeps a ring of the last timestamps (`nstamps_max_mask + 1` = roundup_pow_of_two(
 *   ip_pkt_list_tot = 20) = 32 of them) in jiffies;
 * - `--rcheck/--update --seconds S` matches if some stamp is not older than `jiffies − S·HZ`
 *   (`time_after(time, stamp)` skips a stamp), with `--hitcount N` needing N such stamps;
 * - `--reap` then removes at most ONE entry: the list's least recently seen one, if its newest stamp is
 *   older than `jiffies − S·HZ` and it is not the entry being checked (`recent_entry_reap`, with the
 *   "Fix attempt to update deleted entry" guard of Linux 5.10+);
 * - `--set` adds the address or appends a stamp; `--update` appends a stamp only when it matched;
 *   `--remove` deletes the entry.
 * Time is counted in jiffies: `floor(now / (1e9 / HZ))`. HZ defaults to 250 (a common distribution
 * CONFIG_HZ); jiffies' 32/64-bit wrap-around is not modelled (the simulated horizon is 104 days).
 */
export interface RecentOptions {
  /** CONFIG_HZ. */
  hz?: number
  /** Module parameter ip_list_tot. */
  ipListTot?: number
  /** Module parameter ip_pkt_list_tot. */
  ipPktListTot?: number
}

export class RecentEntry {
  /** Ring of jiffies stamps; `index` is where the next one goes, `nstamps` how many are valid. */
  readonly stamps: number[] = []
  index = 0
  nstamps = 0
  constructor(
    readonly addr: Ipv4,
    public ttl: number,
  ) {}
  /** The newest stamp. */
  get lastSeen(): number {
    return this.stamps[this.index - 1] as number
  }
}

export class RecentTable {
  /** Insertion order of this Map is the LRU list: first = least recently seen (`t->lru_list`). */
  readonly entries = new Map<Ipv4, RecentEntry>()
  constructor(
    readonly name: string,
    readonly mask: Ipv4,
    readonly nstampsMaxMask: number,
  ) {}
}

export class RecentTables {
  readonly hz: number
  readonly ipListTot: number
  readonly ipPktListTot: number
  private readonly tables = new Map<string, RecentTable>()

  constructor(options: RecentOptions = {}) {
    this.hz = options.hz ?? 250
    this.ipListTot = options.ipListTot ?? 100
    this.ipPktListTot = options.ipPktListTot ?? 20
  }

  /** The jiffies counter at simulated time `now`. */
  jiffies(now: Nanos): number {
    return Math.floor((now * this.hz) / NANOS_PER_SECOND)
  }

  /** The list named `name`, or undefined if no rule has used it yet. */
  get(name: string): RecentTable | undefined {
    return this.tables.get(name)
  }

  /** Names of existing lists, in creation order. */
  names(): string[] {
    return [...this.tables.keys()]
  }

  /**
   * Ensures the list a rule refers to exists (xt_recent.c `recent_mt_check`: the first rule fixes the mask;
   * a later rule with a larger hitcount grows the stamp ring, flushing the list).
   */
  ensure(m: RecentMatch): RecentTable {
    const want = nstampMask(this.ipPktListTot, m.hitcount)
    let t = this.tables.get(m.name)
    if (t === undefined) {
      t = new RecentTable(m.name, m.mask, want)
      this.tables.set(m.name, t)
    } else if (want > t.nstampsMaxMask) {
      t = new RecentTable(m.name, t.mask, want)
      this.tables.set(m.name, t)
    }
    return t
  }

  /** Destroys lists no rule refers to any more (`recent_mt_destroy` when the refcount drops to zero). */
  retainOnly(names: ReadonlySet<string>): void {
    for (const name of [...this.tables.keys()]) if (!names.has(name)) this.tables.delete(name)
  }

  /** xt_recent.c `recent_mt`: evaluates one recent match for a packet; may change the list. */
  match(m: RecentMatch, src: Ipv4, dst: Ipv4, ttl: number, now: Nanos): boolean {
    const t = this.ensure(m)
    const addr = ((m.side === "dest" ? dst : src) & t.mask) >>> 0
    const jiffies = this.jiffies(now)
    let ret = m.invert
    let e = t.entries.get(addr)
    if (e !== undefined && m.rttl && e.ttl !== ttl && e.ttl !== 0 && ttl !== 0) e = undefined
    if (e === undefined) {
      if (m.command !== "set") return ret
      if (t.entries.size >= this.ipListTot) {
        const oldest = t.entries.keys().next()
        if (!oldest.done) t.entries.delete(oldest.value)
      }
      const fresh = new RecentEntry(addr, ttl)
      fresh.stamps[0] = jiffies
      fresh.nstamps = 1
      fresh.index = 1
      t.entries.set(addr, fresh)
      return !ret
    }
    if (m.command === "set") {
      ret = !ret
    } else if (m.command === "remove") {
      t.entries.delete(addr)
      return !ret
    } else {
      const time = jiffies - m.seconds * this.hz
      let hits = 0
      for (let i = 0; i < e.nstamps; i++) {
        // time_after(time, stamp): the stamp is older than the window.
        if (m.seconds !== 0 && time > (e.stamps[i] as number)) continue
        if (m.hitcount === 0 || ++hits >= m.hitcount) {
          ret = !ret
          break
        }
      }
      if (m.reap) reap(t, time, e)
    }
    if (m.command === "set" || (m.command === "update" && ret)) {
      e.index &= t.nstampsMaxMask
      e.stamps[e.index++] = jiffies
      if (e.index > e.nstamps) e.nstamps = e.index
      e.ttl = ttl
      // list_move_tail: now the most recently seen.
      t.entries.delete(addr)
      t.entries.set(addr, e)
    }
    return ret
  }
}

/** xt_recent.c `recent_entry_reap`: drop the least recently seen entry if it is stale and not `working`. */
const reap = (t: RecentTable, time: number, working: RecentEntry): void => {
  const head = t.entries.values().next()
  if (head.done) return
  const e = head.value
  if (e === working) return
  if (time > e.lastSeen) t.entries.delete(e.addr)
}

/** xt_recent.c `recent_mt_check`: the stamp ring size minus one. */
const nstampMask = (ipPktListTot: number, hitcount: number): number => {
  if (ipPktListTot !== 0 && hitcount < ipPktListTot) return roundupPow2(ipPktListTot) - 1
  if (hitcount !== 0) return roundupPow2(hitcount) - 1
  return 31
}

const roundupPow2 = (n: number): number => {
  let p = 1
  while (p < n) p *= 2
  return p
}
