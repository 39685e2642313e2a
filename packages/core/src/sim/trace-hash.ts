/**
 * A 64-bit running hash over processed events, kept as two 32-bit lanes (no BigInt on the hot path).
 *
 * Each event folds its time (high and low 32-bit halves), its kind's name hash and its key, two mixing rounds
 * per lane: lane 1 murmur3's body round (multiply/rotate), lane 2 murmur3's fmix. Equal event sequences give
 * equal hashes in any process. Two rounds a lane rather than four: with four the fold was ~10-15% of the
 * M/M/1 benchmark's CPU time (sim/README.md).
 */
export class TraceHash {
  private h1 = 0x811c9dc5 | 0
  private h2 = 0x9e3779b9 | 0

  fold(time: number, kindHash: number, key: number): void {
    // time < 2^53, so the quotient is < 2^21 and `| 0` is floor.
    const hi = (time / 4294967296) | 0
    const lo = time >>> 0
    // Two words a lane — lane 1: lo, then kind ⊕ key·φ; lane 2: hi ⊕ lo ⊕ key·c, then kind. The key is
    // multiplied by odd constants (bijections) before combining, so changing any one of time, kind or key
    // alone changes lane 2, and lane 1 unless only the time's high half changed.
    this.h1 = mix(mix(this.h1, lo), kindHash ^ Math.imul(key, 0x9e3779b1))
    this.h2 = mix2(mix2(this.h2, hi ^ Math.imul(key, 0x85ebca77) ^ lo), kindHash)
  }

  /** 16 lower-case hex digits. */
  hex(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, "0") + (this.h2 >>> 0).toString(16).padStart(8, "0")
  }
}

const mix = (h: number, w: number): number => {
  let k = Math.imul(w, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

const mix2 = (h: number, w: number): number => {
  h ^= w
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}

/** FNV-1a of a string's UTF-16 code units: the stable hash of an event kind's name. */
export const hashName = (name: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h | 0
}
