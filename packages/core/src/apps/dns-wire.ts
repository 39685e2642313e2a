import type { DnsAnswer, ResourceRecord, RrType } from "../dns/index"

/**
 * DNS messages as the simulated UDP/TCP carries them (payload objects), with the byte sizes of the RFC 1035
 * wire format so packet lengths are honest: a 12-byte header, the question (name labels + 4), and per record
 * a compressed owner name (2), type/class/TTL/length (10) and RDATA.
 */

/** A query datagram. `id` is the transaction id the resolver matches answers with. */
export interface DnsQueryMessage {
  readonly kind: "dns-query"
  readonly id: number
  readonly name: string
  readonly qtype: RrType
}

/** A response: the question echoed and the server's answer. */
export interface DnsResponseMessage {
  readonly kind: "dns-response"
  readonly id: number
  readonly name: string
  readonly qtype: RrType
  readonly answer: DnsAnswer
}

export const isDnsQuery = (m: unknown): m is DnsQueryMessage =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "dns-query"
export const isDnsResponse = (m: unknown): m is DnsResponseMessage =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "dns-response"

/** Wire length of a domain name: each label with its length byte, then the root byte. */
export const nameWireLength = (name: string): number => {
  const n = name.endsWith(".") ? name.slice(0, -1) : name
  return n === "" ? 1 : n.length + 2
}

const rdataLength = (r: ResourceRecord): number => {
  switch (r.type) {
    case "A":
      return 4
    case "AAAA":
      return 16
    case "CNAME":
    case "PTR":
    case "NS":
      return nameWireLength(r.data)
    case "SRV":
      // priority, weight, port, then the target name (the last field).
      return 6 + nameWireLength(r.data.split(" ")[3] ?? ".")
    case "SOA": {
      const f = r.data.split(" ")
      return nameWireLength(f[0] ?? ".") + nameWireLength(f[1] ?? ".") + 20
    }
    default:
      return r.data.length + 1
  }
}

export const queryBytes = (q: DnsQueryMessage): number => 12 + nameWireLength(q.name) + 4

export const responseBytes = (r: DnsResponseMessage): number => {
  let n = 12 + nameWireLength(r.name) + 4
  for (const sec of [r.answer.answer, r.answer.authority, r.answer.additional]) for (const rr of sec) n += 12 + rdataLength(rr)
  return n
}
