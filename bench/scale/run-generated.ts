/**
 * `npx tsx bench/scale/run-generated.ts <nodes> <services> [duration] [--write <file>]`: issue 13's walkthrough
 * (N Deployments × 5 nginx, one ClusterIP Service each, one busybox client with Poisson traffic) run in this
 * process as `kubesim run` would; prints wall seconds, events and peak RSS. `--write` saves the scenario file
 * instead, for `kubesim run <file>`.
 */
import { writeFileSync } from "node:fs"
import { loadScenarioText, runScenario } from "../../packages/scenarios/src/index"
import { generateScenario } from "./generate-cluster"

const args = process.argv.slice(2)
const writeAt = args.indexOf("--write")
const out = writeAt >= 0 ? args.splice(writeAt, 2)[1] : undefined
const [nodes, services, duration] = [Number(args[0] ?? 10), Number(args[1] ?? 100), args[2] ?? "90s"]
const text = generateScenario({ nodes, services, replicasOf: () => 5, clients: 1, rate: 10, trafficStart: "30s", duration })
if (out !== undefined) {
  writeFileSync(out, text)
} else {
  const t0 = performance.now()
  const r = runScenario(loadScenarioText(text, `generated-${nodes}n-${services}s`), { seed: 1 })
  const wall = (performance.now() - t0) / 1000
  const requests = r.records.filter((x) => x.kind === "request")
  const ok = requests.filter((x) => x.kind === "request" && x.outcome === "ok").length
  console.log(
    JSON.stringify({ nodes, services, pods: services * 5, duration, wallSeconds: Number(wall.toFixed(2)), cpuSeconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)), events: r.events, requests: requests.length, ok, traceHash: r.traceHash, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }),
  )
}
