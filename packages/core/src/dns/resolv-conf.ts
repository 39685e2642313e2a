/**
 * `/etc/resolv.conf`: what a pod's runtime writes from the kubelet's DNS config, and how each libc reads it.
 */
export interface ResolvConf {
  readonly nameservers: ReadonlyArray<string>
  readonly searches: ReadonlyArray<string>
  /** Raw option tokens as written (`ndots:5`, `single-request`). */
  readonly options: ReadonlyArray<string>
}

/**
 * The file text containerd writes for a sandbox (containerd `pkg/cri/server/sandbox_run.go` `parseDNSOptions`):
 * `search` line, then one `nameserver` line each, then `options`; empty parts are left out.
 */
export const renderResolvConf = (conf: ResolvConf): string => {
  let out = ""
  if (conf.searches.length > 0) out += `search ${conf.searches.join(" ")}\n`
  for (const ns of conf.nameservers) out += `nameserver ${ns}\n`
  if (conf.options.length > 0) out += `options ${conf.options.join(" ")}\n`
  return out
}

/**
 * Read resolv.conf text as the kubelet does (kubernetes `pkg/kubelet/network/dns/dns.go` `parseResolvConf`):
 * `#` comments skipped, nameservers accumulate, the last `search` line wins (trailing dots trimmed, "." kept), the last
 * `options` line wins. A `nameserver` line without an address is an error naming the line.
 */
export const parseResolvConf = (text: string, source = "resolv.conf"): ResolvConf => {
  const nameservers: string[] = []
  let searches: string[] = []
  let options: string[] = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] as string).trim()
    if (trimmed.startsWith("#")) continue
    const fields = trimmed.split(/\s+/).filter((f) => f !== "")
    if (fields.length === 0) continue
    if (fields[0] === "nameserver") {
      if (fields.length < 2) throw new Error(`${source}:${i + 1}: nameserver line has no address`)
      nameservers.push(fields[1] as string)
    }
    // A lone "." (the root, as systemd-resolved writes when it has no domains) is kept verbatim; other entries
    // lose one trailing dot (kubernetes/kubernetes#109441, in 1.25: before it "." became "" and pods got `search `).
    if (fields[0] === "search") searches = fields.slice(1).map((s) => (s !== "." && s.endsWith(".") ? s.slice(0, -1) : s))
    if (fields[0] === "options") options = fields.slice(1)
  }
  return { nameservers, searches, options }
}

/** A libc stub resolver's flavour; busybox images are built on musl, Debian/Ubuntu ones on glibc. */
export type ResolverFlavour = "musl" | "glibc"

/** The options a stub resolver takes from resolv.conf, after its own defaults and caps. */
export interface ResolverOptions {
  readonly ndots: number
  /** Seconds. */
  readonly timeout: number
  readonly attempts: number
  /** glibc `single-request`: send A, then AAAA after the A answer. */
  readonly singleRequest: boolean
  /** glibc `single-request-reopen`: as single-request, on a new socket for the second query. */
  readonly singleRequestReopen: boolean
  /** glibc `rotate`: round-robin the starting nameserver. Read but not modelled. */
  readonly rotate: boolean
}

const optionNumber = (opts: ReadonlyArray<string>, name: string): number | undefined => {
  let value: number | undefined
  for (const o of opts) {
    if (!o.startsWith(`${name}:`)) continue
    const m = /^[0-9]+/.exec(o.slice(name.length + 1))
    if (m !== null) value = Number(m[0])
  }
  return value
}

/**
 * Resolver options with each libc's defaults and caps: glibc `resolv/res_init.c` (ndots 1 ≤ 15 RES_MAXNDOTS,
 * timeout 5 ≤ 30 RES_MAXRETRANS, attempts 2 ≤ 5 RES_MAXRETRY); musl `src/network/resolvconf.c` (ndots 1 ≤ 15,
 * timeout 5 ≤ 60, attempts 2 ≤ 10). Zero attempts would send nothing; both are treated as 1.
 */
export const resolverOptions = (conf: ResolvConf, flavour: ResolverFlavour): ResolverOptions => {
  const caps = flavour === "glibc" ? { timeout: 30, attempts: 5 } : { timeout: 60, attempts: 10 }
  const ndots = Math.min(optionNumber(conf.options, "ndots") ?? 1, 15)
  const timeout = Math.max(1, Math.min(optionNumber(conf.options, "timeout") ?? 5, caps.timeout))
  const attempts = Math.max(1, Math.min(optionNumber(conf.options, "attempts") ?? 2, caps.attempts))
  const has = (o: string): boolean => flavour === "glibc" && conf.options.includes(o)
  return { ndots, timeout, attempts, singleRequest: has("single-request"), singleRequestReopen: has("single-request-reopen"), rotate: has("rotate") }
}
