import type { DnsAnswer, DnsQuestion, ResourceRecord } from "./dns-message"
import { canonicalIp, reverseName } from "./ip-text"
import type { ResolvConf } from "./resolv-conf"

/** What busybox nslookup sends and to whom. */
export interface NslookupPlan {
  /** The first resolv.conf nameserver (127.0.0.1 when there is none); later ones only if it never replies. */
  readonly server: string
  readonly queries: ReadonlyArray<DnsQuestion>
}

/**
 * busybox `networking/nslookup.c` (FEATURE_NSLOOKUP_BIG, busybox ≥ 1.30) `nslookup_main` / `add_query_with_search`:
 * an IP literal becomes one PTR query; otherwise A queries then AAAA queries, each for the name under every
 * search domain when the name has no dot (the bare name itself is never asked, and ndots is not read), or for
 * the name alone when it has a dot. All go out at once.
 */
export const nslookupPlan = (name: string, conf: ResolvConf): NslookupPlan => {
  const server = conf.nameservers[0] ?? "127.0.0.1"
  const ip = canonicalIp(name)
  if (ip !== undefined) return { server, queries: [{ name: (reverseName(ip) as string).slice(0, -1), qtype: "PTR" }] }
  const withSearch = (qtype: "A" | "AAAA"): DnsQuestion[] =>
    name.includes(".") || conf.searches.length === 0 ? [{ name, qtype }] : conf.searches.map((d) => ({ name: `${name}.${d}`, qtype }))
  return { server, queries: [...withSearch("A"), ...withSearch("AAAA")] }
}

/** A name as `ns_rr_name` / `ns_name_uncompress` print it: no trailing dot, "." for the root. */
const bare = (name: string): string => (name === "." ? "." : name.endsWith(".") ? name.slice(0, -1) : name)

/** nslookup.c `parse_reply`: one line (or two) per answer record; returns the text and the record count. */
const formatRecords = (records: ReadonlyArray<ResourceRecord>): string => {
  let out = ""
  for (const r of records) {
    const owner = bare(r.name)
    switch (r.type) {
      case "A":
      case "AAAA":
        out += `Name:\t${owner}\nAddress: ${r.data}\n`
        break
      case "CNAME":
        out += `${owner}\tcanonical name = ${bare(r.data)}\n`
        break
      case "NS":
        out += `${owner}\tnameserver = ${bare(r.data)}\n`
        break
      case "PTR":
        out += `${owner}\tname = ${bare(r.data)}\n`
        break
      case "SRV": {
        const [prio, weight, port, target] = r.data.split(" ")
        out += `${owner}\tservice = ${prio} ${weight} ${port} ${bare(target ?? "")}\n`
        break
      }
      case "TXT":
        out += `${owner}\ttext = ${r.data}\n`
        break
      case "MX": {
        const [pref, host] = r.data.split(" ")
        out += `${owner}\tmail exchanger = ${pref} ${bare(host ?? "")}\n`
        break
      }
      case "SOA": {
        const [origin, mail, serial, refresh, retry, expire, minimum] = r.data.split(" ")
        out += `${owner}\n\torigin = ${bare(origin ?? "")}\n\tmail addr = ${bare(mail ?? "")}\n\tserial = ${serial}\n\trefresh = ${refresh}\n\tretry = ${retry}\n\texpire = ${expire}\n\tminimum = ${minimum}\n`
        break
      }
      default:
        break
    }
  }
  return out
}

/** One reply as it reached nslookup, or a query that never got one. */
export interface NslookupReply {
  readonly question: DnsQuestion
  readonly answer: DnsAnswer | undefined
}

/**
 * What busybox nslookup prints (nslookup.c `send_queries` and `nslookup_main`): the `Server:`/`Address:` header
 * once the first reply arrives, then per reply in arrival order either `** server can't find NAME: RCODE` or
 * its records (preceded by `Non-authoritative answer:` unless the AA bit is set; `*** Can't find NAME: No
 * answer` when there are none) and a blank line; then `*** Can't find NAME: No answer` for queries never
 * answered. No reply at all prints the timeout line.
 */
export const formatNslookup = (server: string, replies: ReadonlyArray<NslookupReply>): string => {
  const answered = replies.filter((r) => r.answer !== undefined)
  if (answered.length === 0) return ";; connection timed out; no servers could be reached\n\n"
  const port = server.includes(":") ? `[${server}]:53` : `${server}:53`
  let out = `Server:\t\t${server}\nAddress:\t${port}\n\n`
  for (const r of answered) {
    const a = r.answer as DnsAnswer
    if (a.rcode !== "NOERROR") out += `** server can't find ${r.question.name}: ${a.rcode}\n`
    else {
      if (!a.authoritative) out += "Non-authoritative answer:\n"
      const text = formatRecords(a.answer)
      out += a.answer.length === 0 ? `*** Can't find ${r.question.name}: No answer\n` : text
    }
    out += "\n"
  }
  const missing = replies.filter((r) => r.answer === undefined)
  for (const r of missing) out += `*** Can't find ${r.question.name}: No answer\n`
  if (missing.length > 0) out += "\n"
  return out
}

/**
 * `nslookup NAME` from a pod whose resolv.conf is `conf`, against an in-memory server, replies arriving in
 * send order: the printed text and every query sent.
 */
export const nslookupSync = (name: string, conf: ResolvConf, answer: (q: DnsQuestion, server: string) => DnsAnswer | undefined): { readonly text: string; readonly queries: ReadonlyArray<DnsQuestion> } => {
  const plan = nslookupPlan(name, conf)
  const replies = plan.queries.map((question) => ({ question, answer: answer(question, plan.server) }))
  return { text: formatNslookup(plan.server, replies), queries: plan.queries }
}
