/**
 * `npx tsx bench/scale/run-rung.ts <nodes> <services> <clients> [requests] [podCIDR] [replicas]`: one ladder rung in this
 * process (for profiling with `node --cpu-prof --import tsx …`); prints its outcome as JSON, and its progress on
 * stderr.
 */
import { runRung } from "./ladder"

const [nodes, services, clients, requests, podCIDR, replicas] = process.argv.slice(2)
const out = runRung({
  nodes: Number(nodes ?? 10),
  services: Number(services ?? 100),
  clients: Number(clients ?? 10),
  requests: Number(requests ?? 100_000),
  ...(podCIDR !== undefined && podCIDR !== "" ? { podCIDR } : {}),
  ...(replicas !== undefined ? { replicas: Number(replicas) } : {}),
}, true)
console.log(JSON.stringify(out))
