import { api, type Nanos, type records } from "@kubesim/core"
import { MONTHS } from "./pod-logs"

/**
 * Flows as `hubble observe` shows them, made from the run's records: a request is one L7 flow from its client to
 * the backend that answered (FORWARDED with the HTTP status, or ERROR with the failure's cause); a dropped packet
 * is a DROPPED flow with its reason (hubble's `drop_reason_desc`). kubesim records requests, not every packet, so
 * there is one flow per request, not one per packet as Cilium's datapath emits.
 */
export interface Flow {
  readonly time: Nanos
  readonly verdict: "FORWARDED" | "DROPPED" | "ERROR"
  readonly node: string | null
  /** `namespace/pod`, or null for a host outside the cluster. */
  readonly sourcePod: string | null
  readonly sourceIp: string
  readonly destinationPod: string | null
  readonly destinationIp: string
  readonly destinationPort: number | null
  /** `namespace/name` of the Service the client addressed. */
  readonly service: string | null
  readonly protocol: "TCP" | "UDP" | "ICMP"
  readonly dropReason: string | null
  readonly summary: string
}

const splitIpPort = (s: string | null): [string, number | null] => {
  if (s === null) return ["", null]
  const i = s.lastIndexOf(":")
  return i < 0 ? [s, null] : [s.slice(0, i), Number(s.slice(i + 1))]
}

/** `namespace/pod` of the run's endpoints by IP (the last pod to hold an address wins: pod IPs are reused after a pod is gone). */
const podsByIp = (recs: ReadonlyArray<records.RunRecord>): Map<string, string> => {
  const m = new Map<string, string>()
  for (const r of recs) if (r.kind === "endpoints") for (const e of r.endpoints) m.set(e.endpoint.replace(/:\d+$/, ""), `${r.service.slice(0, r.service.indexOf("/"))}/${e.pod}`)
  return m
}

export const flowsOf = (recs: ReadonlyArray<records.RunRecord>, clientPods: ReadonlySet<string>): Flow[] => {
  const byIp = podsByIp(recs)
  const nsOf = (svc: string | null) => (svc === null ? "default" : svc.slice(0, svc.indexOf("/")))
  const flows: Array<Flow & { readonly order: number }> = []
  recs.forEach((r, order) => {
    if (r.kind === "request") {
      const [dstIp, dstPort] = splitIpPort(r.endpoint ?? r.dst)
      const ns = nsOf(r.service)
      const svc = r.service === null ? null : r.service.replace(/:[^/]*$/, "")
      const ok = r.outcome === "ok"
      flows.push({
        order,
        time: r.end ?? r.t,
        verdict: ok ? "FORWARDED" : r.outcome === "failed" ? "ERROR" : "FORWARDED",
        node: r.node,
        sourcePod: clientPods.has(r.client) ? `${ns}/${r.client}` : null,
        sourceIp: r.clientIp,
        destinationPod: r.pod === null ? null : `${ns}/${r.pod}`,
        destinationIp: dstIp,
        destinationPort: dstPort,
        service: svc,
        protocol: "TCP",
        dropReason: null,
        summary: ok
          ? `HTTP/1.1 ${r.status ?? 200} ${Math.round((r.latency ?? 0) / 1e6)}ms (GET ${r.url})`
          : r.outcome === "failed"
            ? `HTTP/1.1 GET ${r.url}: ${r.cause ?? "failed"}`
            : `HTTP/1.1 GET ${r.url}: in flight at the end`,
      })
    } else if (r.kind === "drop") {
      const [srcIp] = splitIpPort(r.src)
      const [dstIp, dstPort] = splitIpPort(r.dst)
      const sp = byIp.get(srcIp)
      const dp = byIp.get(dstIp)
      flows.push({
        order,
        time: r.t,
        verdict: "DROPPED",
        node: r.host,
        sourcePod: sp ?? null,
        sourceIp: srcIp,
        destinationPod: dp ?? null,
        destinationIp: dstIp,
        destinationPort: dstPort,
        service: null,
        protocol: r.protocol === "udp" ? "UDP" : r.protocol === "icmp" ? "ICMP" : "TCP",
        dropReason: r.reason,
        // hubble's L4 summary: the protocol (TCP flags are not in the drop record).
        summary: r.protocol === "icmp" ? "ICMPv4" : r.protocol.toUpperCase(),
      })
    }
  })
  return flows.sort((a, b) => a.time - b.time || a.order - b.order).map(({ order: _, ...f }) => f)
}

export interface FlowFilter {
  readonly pod?: string
  readonly fromPod?: string
  readonly toPod?: string
  readonly service?: string
  readonly verdict?: string
  readonly dropReason?: string
}

/** hubble's name filters: a prefix of `namespace/name`, the namespace `default` when not given. */
const prefixMatch = (want: string | undefined, have: string | null): boolean => {
  if (want === undefined) return true
  if (have === null) return false
  return have.startsWith(want.includes("/") ? want : `default/${want}`)
}

export const filterFlows = (flows: ReadonlyArray<Flow>, f: FlowFilter): Flow[] =>
  flows.filter(
    (x) =>
      (f.pod === undefined || prefixMatch(f.pod, x.sourcePod) || prefixMatch(f.pod, x.destinationPod)) &&
      prefixMatch(f.fromPod, x.sourcePod) &&
      prefixMatch(f.toPod, x.destinationPod) &&
      prefixMatch(f.service, x.service) &&
      (f.verdict === undefined || x.verdict === f.verdict.toUpperCase()) &&
      (f.dropReason === undefined || x.dropReason === f.dropReason),
  )


/** hubble's compact time, Go's `time.StampMilli` ("Jan _2 15:04:05.000"), on kubesim's UTC clock. */
const stampMilli = (t: Nanos): string => {
  const iso = api.timestampAt(Math.floor(t / 1e6) * 1e6)
  const d = new Date(Date.parse(iso) + (Math.floor(t / 1e6) % 1000))
  const p = (n: number, w = 2) => String(n).padStart(w, "0")
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`
}

const endpoint = (pod: string | null, ip: string, port: number | null): string => `${pod ?? ip}${port === null ? "" : `:${port}`}`

/**
 * hubble's compact line (hubble/pkg/printer/printer.go `WriteProtoFlow`, CompactOutput:
 * `TIME: SRC -> DST TYPE VERDICT (SUMMARY)`), host names as its `Hostname` (a pod as `namespace/name`, else the IP;
 * `:port` when known). A request's flow is its reply, the response (`http-response`), printed as hubble prints
 * replies: flipped, `client <- server`; a request that got no response is its `http-request`; a drop's type is its
 * reason. Cilium's security identities (`(ID:N)` after each end) are not modelled and are left out.
 */
export const compactLine = (f: Flow): string => {
  const src = f.sourcePod ?? f.sourceIp
  const dst = endpoint(f.destinationPod, f.destinationIp, f.destinationPort)
  if (f.verdict === "DROPPED") return `${stampMilli(f.time)}: ${src} -> ${dst} ${f.dropReason ?? ""} DROPPED (${f.summary})`
  if (f.verdict === "FORWARDED") return `${stampMilli(f.time)}: ${src} <- ${dst} http-response FORWARDED (${f.summary})`
  return `${stampMilli(f.time)}: ${src} -> ${dst} http-request ${f.verdict} (${f.summary})`
}

/** hubble's `-o json`: one `{"flow": …}` object a line with its observer API field names. */
export const jsonLine = (f: Flow): string =>
  JSON.stringify({
    flow: {
      time: api.timestampAt(f.time),
      verdict: f.verdict,
      ...(f.dropReason !== null ? { drop_reason_desc: f.dropReason } : {}),
      IP: { source: f.sourceIp, destination: f.destinationIp, ipVersion: "IPv4" },
      l4: { [f.protocol]: f.destinationPort === null ? {} : { destination_port: f.destinationPort } },
      source: f.sourcePod === null ? {} : { namespace: f.sourcePod.split("/")[0], pod_name: f.sourcePod.split("/")[1] },
      destination: f.destinationPod === null ? {} : { namespace: f.destinationPod.split("/")[0], pod_name: f.destinationPod.split("/")[1] },
      Type: f.verdict === "DROPPED" ? "L3_L4" : "L7",
      node_name: f.node ?? "",
      ...(f.service !== null ? { destination_service: { name: f.service.split("/")[1], namespace: f.service.split("/")[0] } } : {}),
      Summary: f.summary,
    },
    node_name: f.node ?? "",
    time: api.timestampAt(f.time),
  })
