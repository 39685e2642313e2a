import { type DnsAnswer, type DnsQuestion, type ResourceRecord, type RrType, emptyAnswer, rr } from "./dns-message"
import { canonicalName, fqdn, isSubdomain } from "./dns-name"

/** Default TTL of upstream records written without one. */
export const UPSTREAM_DEFAULT_TTL = 300

const RR_TYPES: ReadonlySet<string> = new Set(["A", "AAAA", "CNAME", "SRV", "PTR", "TXT", "SOA", "NS", "MX"])

/** A bad line in an upstream zone description. */
export class UpstreamZoneError extends Error {
  override readonly name = "UpstreamZoneError"
}

/**
 * Parse zone lines `name [ttl] [IN] TYPE data`, e.g. `db.example.com A 93.184.216.34` or
 * `www.example.com. 300 IN CNAME example.com.`. Blank lines and `;` comments are skipped.
 */
export const parseUpstreamRecords = (text: string, source = "upstream zone"): ResourceRecord[] => {
  const out: ResourceRecord[] = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/;.*$/, "").trim()
    if (line === "") continue
    const fields = line.split(/\s+/)
    const where = `${source}:${i + 1}`
    let k = 1
    let ttl = UPSTREAM_DEFAULT_TTL
    if (k < fields.length && /^[0-9]+$/.test(fields[k] as string)) ttl = Number(fields[k++])
    if (k < fields.length && (fields[k] as string).toUpperCase() === "IN") k++
    const type = (fields[k++] ?? "").toUpperCase()
    if (!RR_TYPES.has(type)) throw new UpstreamZoneError(`${where}: expected a record type (${[...RR_TYPES].join(", ")}) in "${line}", got "${type}"`)
    const data = fields.slice(k).join(" ")
    if (data === "") throw new UpstreamZoneError(`${where}: record "${line}" has no data`)
    const isName = type === "CNAME" || type === "PTR" || type === "NS"
    out.push(rr(fqdn(fields[0] as string), type as RrType, ttl, isName ? fqdn(data) : data))
  }
  return out
}

/**
 * The DNS world outside the cluster as seen through CoreDNS' `forward . /etc/resolv.conf`: one flat,
 * authoritative record set answering with CNAME chasing, NODATA for names that exist (or have names below
 * them) and NXDOMAIN otherwise, with the SOA of the enclosing configured zone when there is one.
 * Answers reach clients through a recursive resolver, so they are not authoritative.
 */
export class UpstreamZone {
  private readonly byName = new Map<string, ResourceRecord[]>()
  private readonly soas: ResourceRecord[] = []

  constructor(records: ReadonlyArray<ResourceRecord> = []) {
    for (const r of records) this.add(r)
  }

  add(record: ResourceRecord): void {
    const k = canonicalName(record.name)
    let list = this.byName.get(k)
    if (list === undefined) this.byName.set(k, (list = []))
    list.push(record)
    if (record.type === "SOA") this.soas.push(record)
  }

  private exists(k: string): boolean {
    if (this.byName.has(k)) return true
    for (const name of this.byName.keys()) if (name.endsWith(`.${k}`)) return true
    return false
  }

  private soaFor(k: string): ResourceRecord | undefined {
    let best: ResourceRecord | undefined
    for (const s of this.soas) if (isSubdomain(s.name, k) && (best === undefined || s.name.length > best.name.length)) best = s
    return best
  }

  answer(q: DnsQuestion): DnsAnswer {
    const answer: ResourceRecord[] = []
    let k = canonicalName(q.name)
    let owner = fqdn(q.name)
    for (let hops = 0; hops < 8; hops++) {
      const here = this.byName.get(k) ?? []
      const matching = here.filter((r) => r.type === q.qtype || q.qtype === "ANY")
      if (matching.length > 0) {
        for (const r of matching) answer.push({ ...r, name: owner })
        return { rcode: "NOERROR", authoritative: false, answer, authority: [], additional: [] }
      }
      const cname = here.find((r) => r.type === "CNAME")
      if (cname === undefined) break
      answer.push({ ...cname, name: owner })
      owner = cname.data
      k = canonicalName(cname.data)
    }
    if (answer.length > 0 || this.exists(k)) {
      const soa = this.soaFor(k)
      return { rcode: "NOERROR", authoritative: false, answer, authority: soa === undefined ? [] : [soa], additional: [] }
    }
    return emptyAnswer("NXDOMAIN", false, this.soaFor(k))
  }
}
