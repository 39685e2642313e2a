import type { DnsRecord } from "../records/schema"
import type { DnsReport } from "./report-types"

/**
 * DNS cost: queries per resolver lookup (one getaddrinfo walks the search list, so a short name with ndots:5
 * costs several queries), the NXDOMAIN share of all queries and the queries that timed out.
 */
export const dnsReport = (queries: ReadonlyArray<DnsRecord>): DnsReport => {
  const perLookup = new Map<string, number>()
  let nxdomain = 0
  let timeouts = 0
  for (const q of queries) {
    const key = `${q.client}\u0000${q.lookup}`
    perLookup.set(key, (perLookup.get(key) ?? 0) + 1)
    if (q.rcode === "NXDOMAIN") nxdomain++
    else if (q.rcode === null) timeouts++
  }
  let max = 0
  for (const n of perLookup.values()) if (n > max) max = n
  const lookups = perLookup.size
  return {
    lookups,
    queries: queries.length,
    queriesPerLookup: lookups === 0 ? null : queries.length / lookups,
    maxQueriesPerLookup: max,
    nxdomain,
    nxdomainShare: queries.length === 0 ? null : nxdomain / queries.length,
    timeouts,
  }
}
