import type { Chain, Rule } from "./model"

/**
 * A dispatch index over runs of "service rules": rules that constrain only `-p tcp|udp|sctp`, one destination
 * port and optionally one destination host (`-d X/32`), plus comments — the shape of every KUBE-SERVICES and
 * KUBE-NODEPORTS rule. Such rules have no side effects when they fail to match, so finding the first rule of
 * a run that matches by hashing (destination, protocol, port) gives the same verdict, target and counters as
 * walking the run, and the number of rules linear evaluation would have looked at is the distance walked.
 * Indexes are cached per chain object and rebuilt when `chain.version` changes.
 */
export interface Segment {
  readonly start: number
  /** Exclusive. */
  readonly end: number
  /** key(dst, proto, dport) → ascending rule indexes. */
  readonly byDst: Map<number, number[]>
  /** key(proto, dport) → ascending indexes of rules without -d. */
  readonly anyDst: Map<number, number[]>
}

export interface ChainIndex {
  readonly version: number
  /** Segment number of each rule, or -1 for rules evaluated one by one. */
  readonly segmentOf: Int32Array
  readonly segments: readonly Segment[]
}

/** Chains shorter than this are walked rule by rule. */
export const MIN_INDEXED_CHAIN = 32
/** Runs of service rules shorter than this are not indexed. */
const MIN_SEGMENT = 8

const protoSlot = (proto: number): number => (proto === 6 ? 0 : proto === 17 ? 1 : proto === 132 ? 2 : -1)

/** Key of (dst, proto, dport): fits in 2^50, exact in a JS number. */
export const dstKey = (dst: number, proto: number, dport: number): number => (dst * 65536 + dport) * 4 + protoSlot(proto)
export const portKey = (proto: number, dport: number): number => dport * 4 + protoSlot(proto)

/** The (dst or -1, proto, dport) a service rule dispatches on, or null if the rule is not one. */
const serviceShape = (r: Rule): [number, number, number] | null => {
  if (r.src !== null || r.inIface !== null || r.outIface !== null || r.proto === null || r.proto.invert) return null
  if (protoSlot(r.proto.proto) < 0) return null
  if (r.dst !== null && (r.dst.invert || r.dst.prefix !== 32)) return null
  let port = -1
  for (const m of r.matches) {
    if (m.kind === "comment") continue
    if ((m.kind === "tcp" || m.kind === "udp" || m.kind === "sctp") && port < 0 && m.sport === null && m.dport !== null) {
      if (m.dport.invert || m.dport.min !== m.dport.max) return null
      port = m.dport.min
      continue
    }
    return null
  }
  if (port < 0) return null
  return [r.dst === null ? -1 : r.dst.ip, r.proto.proto, port]
}

const push = (m: Map<number, number[]>, k: number, i: number): void => {
  const l = m.get(k)
  if (l === undefined) m.set(k, [i])
  else l.push(i)
}

export const buildIndex = (chain: Chain): ChainIndex => {
  const n = chain.rules.length
  const segmentOf = new Int32Array(n).fill(-1)
  const segments: Segment[] = []
  const shapes = chain.rules.map(serviceShape)
  let i = 0
  while (i < n) {
    if (shapes[i] === null) {
      i++
      continue
    }
    let j = i
    while (j < n && shapes[j] !== null) j++
    if (j - i >= MIN_SEGMENT) {
      const seg: Segment = { start: i, end: j, byDst: new Map(), anyDst: new Map() }
      for (let k = i; k < j; k++) {
        const [dst, proto, port] = shapes[k] as [number, number, number]
        if (dst < 0) push(seg.anyDst, portKey(proto, port), k)
        else push(seg.byDst, dstKey(dst, proto, port), k)
        segmentOf[k] = segments.length
      }
      segments.push(seg)
    }
    i = j
  }
  return { version: chain.version, segmentOf, segments }
}

const cache = new WeakMap<Chain, ChainIndex>()

/** The chain's index, built on first use and after every change; null for short chains. */
export const chainIndex = (chain: Chain): ChainIndex | null => {
  if (chain.rules.length < MIN_INDEXED_CHAIN) return null
  let idx = cache.get(chain)
  if (idx === undefined || idx.version !== chain.version || idx.segmentOf.length !== chain.rules.length) {
    idx = buildIndex(chain)
    cache.set(chain, idx)
  }
  return idx
}

const firstAtOrAfter = (l: number[] | undefined, i: number): number => {
  if (l === undefined) return -1
  for (let k = 0; k < l.length; k++) if ((l[k] as number) >= i) return l[k] as number
  return -1
}

/**
 * The first rule at or after `i` in segment `seg` that a packet (dst, proto, dport) matches, or `seg.end`
 * if none does.
 */
export const firstMatchInSegment = (seg: Segment, i: number, dst: number, proto: number, dport: number): number => {
  if (protoSlot(proto) < 0) return seg.end
  const a = firstAtOrAfter(seg.byDst.get(dstKey(dst, proto, dport)), i)
  const b = firstAtOrAfter(seg.anyDst.get(portKey(proto, dport)), i)
  if (a < 0) return b < 0 ? seg.end : b
  return b < 0 || a < b ? a : b
}
