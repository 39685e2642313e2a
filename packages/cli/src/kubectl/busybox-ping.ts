import { apps, type cluster, type dns, net } from "@kubesim/core"
import { UserInputError } from "../errors"

/**
 * `ping -c N [-W SEC] HOST` as busybox runs it (networking/ping.c, FEATURE_FANCY_PING): resolve HOST (getaddrinfo,
 * AF_INET), send N echoes a second apart from the pod over the simulated data plane, print each reply and the
 * statistics; exit 0 when any reply came, 1 otherwise.
 */

export interface PingArgs {
  readonly count: number
  /** -W, in seconds (busybox's default 10). */
  readonly timeoutSec: number
  readonly host: string
}

const usage = (got: ReadonlyArray<string>): UserInputError =>
  new UserInputError({ message: `kubesim exec: ping runs as ping -c N [-W SEC] HOST (N ≥ 1: without -c it would never end); got ${JSON.stringify(["ping", ...got].join(" "))}` })

/** Parses busybox ping's `-c N`/`-cN`, `-W SEC`/`-WSEC` and the host; anything else is refused by name. */
export const pingArgs = (args: ReadonlyArray<string>): PingArgs => {
  let count: number | undefined
  let timeoutSec = 10
  let host: string | undefined
  const num = (v: string | undefined): number => (v !== undefined && /^\d+$/.test(v) ? Number(v) : Number.NaN)
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    if (a === "-c" || a === "-W") {
      const v = num(args[++i])
      if (a === "-c") count = v
      else timeoutSec = v
    } else if (/^-[cW]\d+$/.test(a)) {
      if (a[1] === "c") count = num(a.slice(2))
      else timeoutSec = num(a.slice(2))
    } else if (!a.startsWith("-") && host === undefined) host = a
    else throw usage(args)
  }
  if (count === undefined || !(count >= 1) || !Number.isSafeInteger(count) || !(timeoutSec >= 0) || host === undefined) throw usage(args)
  return { count, timeoutSec, host }
}

/** busybox prints times in microseconds as `%u.%03u` ms. */
const ms = (us: number): string => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`

/** One reply line (ping.c unpack_tail): `64 bytes from 10.244.1.5: seq=0 ttl=62 time=0.311 ms`. */
export const pingReplyLine = (r: apps.PingReply): string =>
  `${r.bytes} bytes from ${net.formatIpv4(r.from)}: seq=${r.seq} ttl=${r.ttl} time=${ms(r.rttMicros)} ms${r.dup ? " (DUP!)" : ""}\n`

/** The statistics block (ping.c print_stats_and_exit), loss rounded down as its integer division does. */
export const pingStats = (host: string, r: apps.PingResult): string => {
  let s = `\n--- ${host} ping statistics ---\n${r.transmitted} packets transmitted, ${r.received} packets received, `
  if (r.duplicates > 0) s += `${r.duplicates} duplicates, `
  s += `${r.transmitted > 0 ? Math.floor(((r.transmitted - r.received) * 100) / r.transmitted) : 0}% packet loss\n`
  if (r.replies.length > 0) {
    let min = Number.MAX_SAFE_INTEGER, max = 0, sum = 0
    for (const x of r.replies) {
      if (x.rttMicros < min) min = x.rttMicros
      if (x.rttMicros > max) max = x.rttMicros
      sum += x.rttMicros
    }
    s += `round-trip min/avg/max = ${ms(min)}/${ms(Math.floor(sum / r.replies.length))}/${ms(max)} ms\n`
  }
  return s
}

/** How long name resolution may run in simulated time (musl's resolver gives up well before). */
const RESOLVE_LIMIT = 60e9

/**
 * Runs busybox ping from the pod from the cluster's current time: the pod's resolver (its resolv.conf, musl)
 * for a name, then PingClient over the node's rules and conntrack.
 */
export const pingFromPod = (c: cluster.Cluster, namespace: string, pod: string, a: PingArgs, conf: dns.ResolvConf): { readonly text: string; readonly err: string; readonly code: number } => {
  const host = c.podHost(pod, namespace)
  if (host === null) throw new UserInputError({ message: `unable to upgrade connection: container not found ("${pod}")` })
  let dst = net.tryParseIpv4(a.host)
  if (dst === null) {
    const resolver = new apps.StubResolverDriver(host, c.env, { client: `exec/${pod}`, conf, flavour: "musl", family: "inet" })
    let addr: string | null | undefined
    resolver.resolve(a.host, (r) => (addr = r.status === "ok" ? (r.addresses[0] ?? null) : null))
    const limit = c.sim.now + RESOLVE_LIMIT
    while (addr === undefined && c.sim.now < limit) c.runUntil(Math.min(limit, c.sim.now + 100_000_000))
    // xhost2sockaddr → bb_error_msg_and_die("bad address '%s'")
    const resolved: string | null | undefined = addr
    dst = resolved === undefined || resolved === null ? null : net.tryParseIpv4(resolved)
    if (dst === null) return { text: "", err: `ping: bad address '${a.host}'\n`, code: 1 }
  }
  let text = `PING ${a.host} (${net.formatIpv4(dst)}): ${apps.PING_DATA_BYTES} data bytes\n`
  const client = new apps.PingClient(host, c.env, { count: a.count, timeout: a.timeoutSec * 1e9 })
  let result: apps.PingResult | undefined
  client.start(dst, (r) => (text += pingReplyLine(r)), (r) => (result = r))
  // N echoes a second apart, then at most -W (or ~2·tmax) more: the client always ends; the cap only guards.
  const limit = c.sim.now + (a.count + a.timeoutSec + 60) * 1e9
  while (result === undefined && c.sim.now < limit) c.runUntil(Math.min(limit, c.sim.now + 100_000_000))
  const r: apps.PingResult | undefined = result
  if (r === undefined) throw new Error(`ping from ${pod} did not end by ${limit} ns`)
  if (r.sendError !== null) return { text, err: "ping: sendto: Network unreachable\n", code: 1 }
  return { text: text + pingStats(a.host, r), err: "", code: r.received > 0 ? 0 : 1 }
}
