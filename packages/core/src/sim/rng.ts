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
export const streamSeed = (runSeed: number | string, name: string): string => `kubesim/${runSeed}/${name}`

class AleaRng implements Rng {
  private readonly prng: seedrandom.PRNG
  constructor(readonly name: string, seed: string) {
    this.prng = seedrandom.alea(seed)
  }
  next(): number {
    return this.prng.double()
  }
  uint32(): number {
    return this.prng.int32() >>> 0
  }
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`rng ${this.name}: empty range [${lo}, ${hi})`)
    return lo + Math.floor(this.prng.double() * (hi - lo))
  }
  exponential(rate: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.prng.double()) / rate
  }
  normal(mu: number, sigma: number): number {
    const u1 = 1 - this.prng.double()
    const u2 = this.prng.double()
    return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma))
  }
  bernoulli(p: number): boolean {
    return this.prng.double() < p
  }
  choice<T>(items: ReadonlyArray<T>): T {
    if (items.length === 0) throw new RangeError(`rng ${this.name}: choice from an empty list`)
    return items[Math.floor(this.prng.double() * items.length)] as T
  }
  shuffle<T>(items: ReadonlyArray<T>): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1))
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
