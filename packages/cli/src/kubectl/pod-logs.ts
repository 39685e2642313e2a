import { api, type Nanos, type records } from "@kubesim/core"

/** Go's and nginx's month abbreviations. */
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** nginx's `$time_local`: `01/Jan/2024:00:00:09 +0000` (kubesim's clock is UTC from its epoch). */
export const nginxTimeLocal = (t: Nanos): string => {
  const d = new Date(api.timestampAt(t))
  const p = (n: number) => String(n).padStart(2, "0")
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

const pathOf = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.pathname}${u.search}`
  } catch {
    return "/"
  }
}

/**
 * An nginx access-log line in the `combined` format (ngx_http_log_module: `$remote_addr - $remote_user
 * [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`), written when the
 * response was sent. The client address is the one nginx saw (after any SNAT); the body is the serving pod's
 * hostname (the seed's index.html), the agent busybox wget's `Wget`.
 */
export const accessLogLine = (r: records.RequestRecord): string =>
  `${r.sourceIp ?? "-"} - - [${nginxTimeLocal(r.end ?? r.t)}] "GET ${pathOf(r.url)} HTTP/1.1" ${r.status ?? 0} ${(r.pod ?? "").length} "-" "Wget"`

/** What busybox wget prints when a request fails (networking/wget.c and libbb's messages), the host or address named. */
export const wgetError = (r: records.RequestRecord): string => {
  const host = (() => {
    try {
      return new URL(r.url).hostname
    } catch {
      return r.url
    }
  })()
  const addr = r.dst.replace(/:\d+$/, "")
  switch (r.cause) {
    case "dns":
      return `wget: bad address '${host}'`
    case "refused":
      return `wget: can't connect to remote host (${addr}): Connection refused`
    case "unreachable":
      return `wget: can't connect to remote host (${addr}): Host is unreachable`
    case "reset":
      return "wget: error getting response: Connection reset by peer"
    case "rejected":
      return `wget: server returned error: HTTP/1.1 ${r.status ?? 503}`
    default:
      return "wget: download timed out"
  }
}

/**
 * `kubectl logs POD` from the records up to `now`: a server pod's nginx access log (requests it answered); a
 * client pod's busybox loop output (`wget -q -O -` prints the page, the serving pod's hostname, or wget's error).
 */
export const podLogs = (recs: ReadonlyArray<records.RunRecord>, pod: string, now: Nanos): string[] => {
  const reqs = recs.flatMap((r) => (r.kind === "request" && r.end !== null && r.end <= now ? [r] : []))
  const asClient = reqs.filter((r) => r.client === pod)
  if (asClient.length > 0) return asClient.sort((a, b) => (a.end ?? 0) - (b.end ?? 0)).map((r) => (r.outcome === "ok" ? (r.pod ?? "") : wgetError(r)))
  return reqs
    .filter((r) => r.pod === pod && r.status !== null)
    .sort((a, b) => (a.end ?? 0) - (b.end ?? 0))
    .map(accessLogLine)
}
