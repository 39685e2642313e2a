/**
 * A 64-bit running hash over processed events, kept as two 32-bit lanes (no BigInt on the hot path).
 *
 * Each event folds four 32-bit words: the time's high and low halves, its kind's name hash and its key.
 * Lane mixing is murmur3's fmix-style multiply/rotate with different constants per lane, so a change in any
 * word changes both lanes. Equal event sequences give equal hashes in any process.
 */
export class TraceHash {
  private h1 = 0x811c9dc5 | 0
  private h2 = 0x9e3779b9 | 0

  fold(time: number, kindHash: number, key: number): void {
    const hi = Math.floor(time / 4294967296) | 0
    const lo = time >>> 0
    this.h1 = mix(mix(mix(mix(this.h1, lo), hi), kindHash), key | 0)
    this.h2 = mix2(mix2(mix2(mix2(this.h2, key | 0), kindHash), hi), lo)
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
