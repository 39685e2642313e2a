import seedrandom from "seedrandom"

/**
 * A named, seeded stream of random numbers.
 *
 * Derivation (stable; changing it changes every run's results): the stream named `name` in a run with seed
 * `seed` is seedrandom's Alea generator seeded with the string `kubesim/<seed>/<name>`. Each stream is
 * independent of every other, so drawing more from one (adding a client) never shifts the draws of another
 * (kube-proxy's `statistic` match): compared variants share common random numbers.
 */
export interface Rng {
  readonly name: string
  /** Uniform in [0, 1) with 53 random bits. */
  next(): number
  /** Uniform 32-bit unsigned integer, as the kernel's `get_random_u32()`. */
  uint32(): number
  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number
  /** Normal with mean `mu` and standard deviation `sigma` (Box–Muller, one draw pair per call). */
  normal(mu: number, sigma: number): number
  /** exp(Normal(mu, sigma)). */
  lognormal(mu: number, sigma: number): number
  /** true with probability p. */
  bernoulli(p: number): boolean
  /** A uniformly chosen element; throws on an empty array. */
  choice<T>(items: ReadonlyArray<T>): T
  /** A new array: a uniform permutation of `items` (Fisher–Yates). */
  shuffle<T>(items: ReadonlyArray<T>): T[]
}

/** The seed string a stream is derived from; part of the documented derivation. */
interface AleaState {
  readonly c: number
  readonly s0: number
  readonly s1: number
  readonly s2: number
}

export const streamSeed = (runSeed: number | string, name: string): string => `kubesim/${runSeed}/${name}`

/**
 * Alea stepped inline: the same arithmetic as seedrandom's `lib/alea.js` (`Alea.next`, `impl.double`,
 * `impl.int32`), on state taken from seedrandom once at creation, so every draw is bit-identical to
 * `seedrandom.alea(seed)` while the hot path avoids its closure calls (a property test pins the equality).
 */
class AleaRng implements Rng {
  // [s0, s1, s2, c]: a typed array keeps the doubles unboxed.
  private readonly s: Float64Array
  constructor(readonly name: string, seed: string) {
    const st = seedrandom.alea(seed, { state: true }).state() as unknown as AleaState
    this.s = Float64Array.of(st.s0, st.s1, st.s2, st.c)
  }
  next(): number {
    // seedrandom's `prng.double` = prng() + (prng() * 2^21 | 0) * 2^-53, with both `Alea.next` steps fused.
    const s = this.s
    const t1 = 2091639 * (s[0] as number) + (s[3] as number) * 2.3283064365386963e-10 // 2^-32
    const c1 = t1 | 0
    const a = t1 - c1
    const t2 = 2091639 * (s[1] as number) + c1 * 2.3283064365386963e-10
    const c2 = t2 | 0
    const b = t2 - c2
    s[0] = s[2] as number
    s[1] = a
    s[2] = b
    s[3] = c2
    return a + ((b * 0x200000) | 0) * 1.1102230246251565e-16 // 2^-53
  }
  uint32(): number {
    // seedrandom's `prng.int32` (one `Alea.next` step), as unsigned.
    const s = this.s
    const t = 2091639 * (s[0] as number) + (s[3] as number) * 2.3283064365386963e-10
    const c = t | 0
    const r = t - c
    s[0] = s[1] as number
    s[1] = s[2] as number
    s[2] = r
    s[3] = c
    return (r * 0x100000000) >>> 0
  }
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`rng ${this.name}: empty range [${lo}, ${hi})`)
    return lo + Math.floor(this.next() * (hi - lo))
  }
  exponential(rate: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.next()) / rate
  }
  normal(mu: number, sigma: number): number {
    const u1 = 1 - this.next()
    const u2 = this.next()
    return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma))
  }
  bernoulli(p: number): boolean {
    return this.next() < p
  }
  choice<T>(items: ReadonlyArray<T>): T {
    if (items.length === 0) throw new RangeError(`rng ${this.name}: choice from an empty list`)
    return items[Math.floor(this.next() * items.length)] as T
  }
  shuffle<T>(items: ReadonlyArray<T>): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const t = out[i] as T
      out[i] = out[j] as T
      out[j] = t
    }
    return out
  }
}

/** Creates the stream `name` of a run seeded with `runSeed`. */
export const makeRng = (runSeed: number | string, name: string): Rng => new AleaRng(name, streamSeed(runSeed, name))

/** Hands out one stream per name, created on first use and cached. */
export class RngStreams {
  private readonly streams = new Map<string, Rng>()
  constructor(readonly runSeed: number | string) {}
  get(name: string): Rng {
    let s = this.streams.get(name)
    if (s === undefined) {
      s = makeRng(this.runSeed, name)
      this.streams.set(name, s)
    }
    return s
  }
}
