import { buildReport, decodeRecordsJsonlSync } from "../../src/index"
import type { Report, Run } from "../../src/index"
import { syntheticRun } from "./synthetic"
import type { SyntheticConfig } from "./synthetic"

/**
 * The golden record set: a web Service with ClientIP affinity and an api Service without, a pod of each killed
 * mid-run; variant `skewed` injects uneven backend choice on api and slower responses. Two seeds per variant.
 */
export const goldenConfig = (variant: "baseline" | "skewed", seed: number): SyntheticConfig => ({
  seed,
  variant,
  seconds: 30,
  nodes: 2,
  clients: 3,
  intervalMs: 500,
  keepAlive: 0.2,
  extraLatencyMs: variant === "skewed" ? 3 : 0,
  services: [
    { name: "web-service", replicas: 3, port: 80, affinity: true, affinityTimeoutSeconds: 10 },
    { name: "api", replicas: 3, port: 8080, ...(variant === "skewed" ? { actualWeights: [3, 1, 1] } : {}) },
  ],
  churn: [
    { at: 10, service: "web-service", replica: 1 },
    { at: 20, service: "api", replica: 2 },
  ],
})

export const goldenRuns = (): Run[] =>
  (["baseline", "skewed"] as const).flatMap((variant) => [11, 12].map((seed) => syntheticRun(goldenConfig(variant, seed))))

/** The golden report, built from records that went through JSON Lines and back (as the CLI reads them). */
export const goldenReport = (): Report =>
  buildReport(
    goldenRuns().map((run) => ({ meta: run.meta, records: decodeRecordsJsonlSync(run.records.map((r) => JSON.stringify(r)).join("\n")) })),
  )
