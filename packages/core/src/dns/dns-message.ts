/**
 * DNS questions, resource records and responses at the level the simulator needs: record data is kept in
 * presentation format (what `dig` prints), which is also what miekg/dns' `RR.String()` renders and what
 * CoreDNS' tests compare.
 */
export type RrType = "A" | "AAAA" | "CNAME" | "SRV" | "PTR" | "TXT" | "SOA" | "NS" | "MX" | "ANY"

/** Response codes (RFC 1035 §4.1.1, RFC 2136); the numeric value is the index in RCODE_NAMES. */
export type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL" | "NXDOMAIN" | "NOTIMP" | "REFUSED"

/** Rcode mnemonics by number, as busybox nslookup's `rcodes[]` table prints them. */
export const RCODE_NAMES: ReadonlyArray<Rcode> = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]

export interface DnsQuestion {
  /** As asked: any case, with or without the trailing dot. */
  readonly name: string
  readonly qtype: RrType
}

export interface ResourceRecord {
  /** Fully qualified owner name with trailing dot, in the case the question used. */
  readonly name: string
  readonly type: RrType
  readonly ttl: number
  /** Presentation-format RDATA: `10.0.0.1`, `0 100 80 svc.ns.svc.cluster.local.`, `"1.1.0"`. */
  readonly data: string
}

export interface DnsAnswer {
  readonly rcode: Rcode
  /** The AA bit: set by CoreDNS' kubernetes plugin on its own answers, clear on forwarded ones. */
  readonly authoritative: boolean
  readonly answer: ReadonlyArray<ResourceRecord>
  readonly authority: ReadonlyArray<ResourceRecord>
  readonly additional: ReadonlyArray<ResourceRecord>
}

/** One RR the way miekg/dns `RR.String()` prints it: name, TTL, class, type and data separated by tabs. */
export const formatRr = (rr: ResourceRecord): string => `${rr.name}\t${rr.ttl}\tIN\t${rr.type}\t${rr.data}`

export const rr = (name: string, type: RrType, ttl: number, data: string): ResourceRecord => ({ name, type, ttl, data })

/** A response with no records of the asked type; NXDOMAIN or NODATA (NOERROR) depending on `rcode`. */
export const emptyAnswer = (rcode: Rcode, authoritative: boolean, soa?: ResourceRecord): DnsAnswer => ({
  rcode,
  authoritative,
  answer: [],
  authority: soa === undefined ? [] : [soa],
  additional: [],
})

/** True for a NOERROR response that carries no record of the asked type (RFC 2308 "NODATA"). */
export const isNoData = (a: DnsAnswer): boolean => a.rcode === "NOERROR" && a.answer.length === 0

/** The addresses of A/AAAA records in an answer, in order. */
export const answerAddresses = (a: DnsAnswer): string[] => {
  const out: string[] = []
  for (const r of a.answer) if (r.type === "A" || r.type === "AAAA") out.push(r.data)
  return out
}
