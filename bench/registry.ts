/**
 * What a benchmark file (`bench/*.bench.ts`) exports: `export const benchmarks: Benchmark[] = [...]` (or the
 * same array as its default export).
 * Importing a bench file must not do work; `run` does. The runner (`bench/run.ts`) runs each benchmark in
 * its own process (so one benchmark's JIT state never skews another), warms it up, repeats it and
 * reports the median.
 */
export interface BenchmarkOutcome {
  /** Model events (or operations) done, for events/s. */
  readonly events: number
  /** Seconds of the measured part, when the benchmark times itself (e.g. to leave out a set-up). */
  readonly seconds?: number
  /** Figures of the benchmark's own (mean wait, …), printed beside the rate. */
  readonly figures?: Readonly<Record<string, number | string>>
  /** Other number or string fields are figures too (the flat style: `{ events, seconds, natRules }`). */
  readonly [figure: string]: number | string | Readonly<Record<string, number | string>> | undefined
}

export interface Benchmark {
  readonly name: string
  readonly about: string
  /** A smaller run first, so the JIT has seen the code before measurement. */
  readonly warmUp?: () => void
  /** At most this many measured runs, whatever `--repeat` asks (the scale ladder's rungs run once). */
  readonly repeat?: number
  readonly run: () => BenchmarkOutcome
}
