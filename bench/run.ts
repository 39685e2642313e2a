import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { Benchmark, BenchmarkOutcome } from "./registry"

/**
 * `pnpm bench [-- --json] [--filter <text>] [--repeat <n>] [--no-peers]`
 *
 * Imports every `bench/*.bench.ts` (each exports `benchmarks: Benchmark[]`), runs each benchmark in a child
 * process of its own (warm-up, then `repeat` measured runs, median reported), then the peers in
 * `bench/peers/` that can run here (SimPy). Prints a table, or with --json one JSON object a line:
 * `name`, `events`, `seconds`, `eventsPerSecond` (median wall time), `bestEventsPerSecond`, `eventsPerCpuSecond`
 * (median CPU time of the child), `runs`, then the benchmark's own figures.
 * Wall-clock time is fine here: bench/ sits above the simulator.
 */

const here = fileURLToPath(new URL(".", import.meta.url))
// `pnpm bench -- --json` passes a literal "--" through: ignore it.
const argv = process.argv.slice(2).filter((a) => a !== "--")

interface Args {
  json: boolean
  filter: string | null
  repeat: number
  peers: boolean
  child: string | null
}

const parseArgs = (args: readonly string[]): Args => {
  const out: Args = { json: false, filter: null, repeat: 3, peers: true, child: null }
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    const value = (): string => {
      const v = args[++i]
      if (v === undefined) throw new Error(`bench: ${a} needs a value`)
      return v
    }
    if (a === "--json") out.json = true
    else if (a === "--no-peers") out.peers = false
    else if (a === "--filter") out.filter = value()
    else if (a === "--child") out.child = value()
    else if (a === "--repeat") {
      const n = Number(value())
      if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --repeat expects a positive integer, got ${args[i]}`)
      out.repeat = n
    } else throw new Error(`bench: unknown argument ${JSON.stringify(a)} (expected --json, --filter <text>, --repeat <n>, --no-peers)`)
  }
  return out
}

const loadBenchmarks = async (): Promise<Benchmark[]> => {
  const files = readdirSync(here).filter((f) => f.endsWith(".bench.ts")).sort()
  const all: Benchmark[] = []
  for (const f of files) {
    const mod = (await import(pathToFileURL(`${here}${f}`).href)) as { benchmarks?: unknown; default?: unknown }
    const list = mod.benchmarks ?? mod.default
    const ok = (b: unknown): b is Benchmark =>
      typeof b === "object" && b !== null && typeof (b as Benchmark).name === "string" && typeof (b as Benchmark).run === "function"
    if (!Array.isArray(list) || !list.every(ok)) {
      throw new Error(`bench/${f}: expected \`export const benchmarks: Benchmark[]\` (or a default export of one) of { name, run() }`)
    }
    all.push(...list)
  }
  const names = new Set<string>()
  for (const b of all) {
    if (names.has(b.name)) throw new Error(`bench: two benchmarks are named ${b.name}`)
    names.add(b.name)
  }
  return all
}

type Row = Readonly<Record<string, number | string>> & { readonly name: string; readonly eventsPerSecond: number }

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** In the child: run one benchmark and print its row as JSON. */
const runChild = (b: Benchmark, repeat: number): void => {
  b.warmUp?.()
  const seconds: number[] = []
  const cpuSeconds: number[] = []
  let last: BenchmarkOutcome | null = null
  const runs = Math.min(repeat, b.repeat ?? repeat)
  for (let i = 0; i < runs; i++) {
    const c0 = cpuNow()
    const t0 = performance.now()
    last = b.run()
    const wall = (performance.now() - t0) / 1000
    // CPU time of this process over the whole run (set-up included): steadier than wall time when the
    // machine is shared, which is why both are reported.
    cpuSeconds.push(cpuNow() - c0)
    seconds.push(last.seconds ?? wall)
  }
  const out = last as BenchmarkOutcome
  const s = median(seconds)
  // Figures: the `figures` object, and any other number/string field of the outcome (flat style).
  const figures: Record<string, number | string> = {}
  for (const [k, v] of Object.entries(out)) {
    if (k === "events" || k === "seconds" || k === "figures") continue
    if (typeof v === "number" || typeof v === "string") figures[k] = v
  }
  Object.assign(figures, out.figures)
  const row = {
    name: b.name,
    events: out.events,
    seconds: round(s, 4),
    eventsPerSecond: Math.round(out.events / s),
    bestEventsPerSecond: Math.round(out.events / Math.min(...seconds)),
    eventsPerCpuSecond: Math.round(out.events / median(cpuSeconds)),
    runs,
    ...figures,
  }
  process.stdout.write(`${JSON.stringify(row)}\n`)
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits))

const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

const runInChild = (name: string, repeat: number): Row => {
  // --expose-gc: benchmarks that measure heap (proxy.bench.ts) collect first; without it their deltas were noise
  // (a negative "heap per node").
  const gc = process.execArgv.includes("--expose-gc") ? [] : ["--expose-gc"]
  const r = spawnSync(process.execPath, [...process.execArgv, ...gc, fileURLToPath(import.meta.url), "--child", name, "--repeat", String(repeat)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
  if (r.status !== 0) throw new Error(`bench: ${name} failed (exit ${r.status})`)
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Row
}

/** SimPy's M/M/1 with the same structure as mm1-processes, if Debian's python3 has SimPy. */
const runSimpyPeer = (): Row | null => {
  const python = "/usr/bin/python3"
  const script = `${here}peers/simpy_mm1.py`
  if (!existsSync(python) || !existsSync(script)) return null
  const r = spawnSync(python, [script, "--customers", "200000"], { encoding: "utf8" })
  if (r.status !== 0) {
    if (/No module named|SimPy is not installed/.test(r.stderr)) return null
    throw new Error(`bench: SimPy peer failed: ${r.stderr}`)
  }
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Row
}

const printTable = (rows: readonly Row[]): void => {
  const cols = ["name", "events", "seconds", "eventsPerSecond", "bestEventsPerSecond", "eventsPerCpuSecond"]
  const extra = (r: Row): string =>
    Object.entries(r)
      .filter(([k]) => !cols.includes(k) && k !== "runs")
      .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(4)) : v}`)
      .join(" ")
  const fmt = (n: unknown): string => (typeof n === "number" ? n.toLocaleString("en-US") : String(n ?? ""))
  const lines = rows.map((r) => [
    r.name,
    fmt(r["events"]),
    fmt(r["seconds"]),
    fmt(r.eventsPerSecond),
    fmt(r["bestEventsPerSecond"]),
    fmt(r["eventsPerCpuSecond"]),
    extra(r),
  ])
  const header = ["benchmark", "events", "seconds", "events/s (median)", "events/s (best)", "events/cpu-s", ""]
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const show = (l: readonly string[]): string => l.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ")
  console.log(show(header))
  for (const l of lines) console.log(show(l))
}

const main = async (): Promise<void> => {
  const args = parseArgs(argv)
  const benchmarks = await loadBenchmarks()
  if (args.child !== null) {
    const b = benchmarks.find((x) => x.name === args.child)
    if (b === undefined) throw new Error(`bench: no benchmark named ${args.child}`)
    runChild(b, args.repeat)
    return
  }
  const chosen = benchmarks.filter((b) => args.filter === null || b.name.includes(args.filter))
  const rows: Row[] = []
  for (const b of chosen) {
    const row = runInChild(b.name, args.repeat)
    rows.push(row)
    if (args.json) console.log(JSON.stringify(row))
  }
  if (args.peers && (args.filter === null || /mm1|simpy/.test(args.filter))) {
    const peer = runSimpyPeer()
    if (peer !== null) {
      // Ratios of CPU-time rates (steadier than wall time on a shared machine): how many times faster we are.
      const ours = (n: string): number | undefined => rows.find((r) => r.name === n)?.["eventsPerCpuSecond"] as number | undefined
      const theirs = peer["eventsPerCpuSecond"] as number
      const cb = ours("mm1-callbacks")
      const pr = ours("mm1-processes")
      const row: Row = {
        ...peer,
        ...(cb !== undefined ? { callbacksVsSimpy: round(cb / theirs, 1) } : {}),
        ...(pr !== undefined ? { processesVsSimpy: round(pr / theirs, 1) } : {}),
      }
      rows.push(row)
      if (args.json) console.log(JSON.stringify(row))
    } else if (!args.json) console.log("(SimPy peer skipped: /usr/bin/python3 has no SimPy; apt-get install -y python3-simpy)")
  }
  if (!args.json) printTable(rows)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
