import { parseCidr, tryParseIpv4, tryParsePort } from "../addr/index"
import type { Ipv4 } from "../addr/index"
import { RuleSyntaxError } from "./errors"
import type { AddrSpec, Counters, IfaceSpec, Match, NatRange, PortRange, ProtoSpec, RejectWith, Rule, Target } from "./model"
import { MATCH_OPTIONS, type OptionSpec, PROTO_NAMES, TARGET_OPTIONS, UNMODELLED_TARGETS } from "./options"
import { probabilityThreshold } from "./statistic"

/** One option occurrence: `[!] --opt value…`. */
interface Opt {
  readonly name: string
  readonly invert: boolean
  readonly values: readonly string[]
}

interface Group {
  readonly module: string
  readonly known: boolean
  readonly opts: Opt[]
}

export interface RuleParseContext {
  /** True if `name` is a chain of the rule's table (so `-j name` is a jump). */
  isChain(name: string): boolean
}

const PROTO_BY_NAME: ReadonlyMap<string, number> = new Map([...PROTO_NAMES].map(([n, s]) => [s, n]))

const fail = (token: string, detail: string): never => {
  throw new RuleSyntaxError(token, detail)
}

/**
 * Parses the words of one rule specification (everything after `-A CHAIN`), iptables-style: core options
 * (`-s -d -i -o -p -j -g -m -c`, each optionally preceded by `!`), then options dispatched to the match
 * module that owns them, loading a protocol's match implicitly when a port option follows `-p tcp|udp|sctp`
 * (iptables/xshared.c `command_default`). Matches keep their order; iptables-save prints them in that order.
 */
export const parseRuleWords = (words: readonly string[], ctx: RuleParseContext): Rule => {
  let src: AddrSpec | null = null
  let dst: AddrSpec | null = null
  let inIface: IfaceSpec | null = null
  let outIface: IfaceSpec | null = null
  let proto: ProtoSpec | null = null
  const groups: Group[] = []
  let targetName: string | null = null
  let targetGoto = false
  let targetOpts: Opt[] = []
  let counters: Counters = { packets: 0, bytes: 0 }
  let invert = false
  let invertToken = ""

  const value = (i: number, what: string): string => {
    const v = words[i + 1]
    if (v === undefined) fail(words[i] as string, `option ${words[i]} needs ${what}`)
    return v as string
  }
  const noInvert = (tok: string): void => {
    if (invert) fail(invertToken, `"!" cannot precede ${tok}`)
  }

  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string
    if (w === "!") {
      if (invert) fail(w, 'two "!" in a row')
      invert = true
      invertToken = w
      continue
    }
    switch (w) {
      case "-s":
      case "--source":
      case "--src":
      case "-d":
      case "--destination":
      case "--dst": {
        const spec = parseAddr(value(i, "an address"), invert)
        const isSrc = w === "-s" || w === "--source" || w === "--src"
        if ((isSrc ? src : dst) !== null) fail(w, `${w} given twice`)
        if (isSrc) src = spec
        else dst = spec
        i++
        break
      }
      case "-i":
      case "--in-interface":
      case "-o":
      case "--out-interface": {
        const name = value(i, "an interface name")
        if (name === "" || name.length > 15 || /[\s/]/.test(name)) fail(name, "invalid interface name")
        const isIn = w === "-i" || w === "--in-interface"
        if ((isIn ? inIface : outIface) !== null) fail(w, `${w} given twice`)
        if (isIn) inIface = { name, invert }
        else outIface = { name, invert }
        i++
        break
      }
      case "-p":
      case "--protocol": {
        if (proto !== null) fail(w, "-p given twice")
        const p = parseProto(value(i, "a protocol"))
        if (p === 0) {
          if (invert) fail(w, '"! -p all" matches nothing and is rejected by iptables')
        } else {
          proto = { proto: p, invert }
        }
        i++
        break
      }
      case "-m":
      case "--match": {
        noInvert(w)
        const name = value(i, "a match name")
        groups.push({ module: name, known: name in MATCH_OPTIONS, opts: [] })
        i++
        break
      }
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        noInvert(w)
        if (targetName !== null) fail(w, "more than one target")
        targetName = value(i, "a target")
        targetGoto = w === "-g" || w === "--goto"
        i++
        break
      }
      case "-c":
      case "--set-counters": {
        noInvert(w)
        const p = words[i + 1]
        const b = words[i + 2]
        if (p === undefined || b === undefined || !/^\d+$/.test(p) || !/^\d+$/.test(b)) {
          fail(w, "-c needs packet and byte counts")
        }
        counters = { packets: Number(p), bytes: Number(b) }
        i += 2
        break
      }
      case "-f":
      case "--fragment":
        fail(w, "fragment matching (-f) is not supported by the simulator")
        break
      default: {
        if (!w.startsWith("-")) fail(w, "expected an option")
        i = dispatch(i)
      }
    }
    invert = false
  }
  if (invert) fail(invertToken, '"!" at the end of the rule')

  function dispatch(i: number): number {
    const w = words[i] as string
    // 1. The earliest loaded known match that declares the option (getopt finds the first merged entry).
    for (const g of groups) {
      const spec = g.known ? MATCH_OPTIONS[g.module]?.[w] : undefined
      if (spec !== undefined) return take(g.opts, spec, i)
    }
    // 2. The target's own options.
    if (targetName !== null) {
      const spec = TARGET_OPTIONS[targetName]?.[w]
      if (spec !== undefined) return take(targetOpts, spec, i)
    }
    // 3. A port option after -p tcp/udp/sctp loads that protocol's match here.
    const pname = proto !== null ? PROTO_NAMES.get(proto.proto) : undefined
    if (pname !== undefined && pname in MATCH_OPTIONS && !groups.some((g) => g.module === pname)) {
      const spec = MATCH_OPTIONS[pname]?.[w]
      if (spec !== undefined) {
        const g: Group = { module: pname, known: true, opts: [] }
        groups.push(g)
        return take(g.opts, spec, i)
      }
    }
    // 4. Otherwise it belongs to the last module we cannot interpret (kept verbatim).
    const unknownTarget = targetName !== null && !(targetName in TARGET_OPTIONS) && !ctx.isChain(targetName)
    const lastUnknown = [...groups].reverse().find((g) => !g.known)
    if (unknownTarget || lastUnknown !== undefined) {
      const values: string[] = []
      let j = i + 1
      while (j < words.length && !(words[j] as string).startsWith("-") && words[j] !== "!") values.push(words[j++] as string)
      const opt = { name: w, invert, values }
      if (unknownTarget) targetOpts.push(opt)
      else lastUnknown?.opts.push(opt)
      return j - 1
    }
    return fail(w, `unknown option ${w}`)
  }

  function take(into: Opt[], spec: OptionSpec, i: number): number {
    const w = words[i] as string
    if (invert && !spec.invertible) fail(w, `"!" cannot precede ${w}`)
    const values: string[] = []
    for (let k = 1; k <= spec.arity; k++) {
      const v = words[i + k]
      if (v === undefined) fail(w, `option ${w} needs ${spec.arity} value${spec.arity > 1 ? "s" : ""}`)
      values.push(v as string)
    }
    into.push({ name: w, invert, values })
    return i + spec.arity
  }

  const matches = groups.map((g) => buildMatch(g, proto))
  const target = buildTarget(targetName, targetGoto, targetOpts, ctx)
  return { src, dst, inIface, outIface, proto, matches, target, counters, restoreText: null }
}

const parseAddr = (text: string, invert: boolean): AddrSpec => {
  if (text.includes(",")) fail(text, "several addresses in one rule are not supported (write one rule per address)")
  const slash = text.indexOf("/")
  if (slash >= 0) {
    const maskText = text.slice(slash + 1)
    if (maskText.includes(".")) {
      // A dotted netmask: iptables accepts it and prints the prefix length if it is contiguous.
      const mask = tryParseIpv4(maskText)
      const prefix = mask === null ? -1 : contiguousPrefix(mask)
      if (prefix < 0) fail(text, "expected an address with a prefix length or contiguous netmask")
      return addrOf(`${text.slice(0, slash)}/${prefix}`, text, invert)
    }
  }
  return addrOf(text, text, invert)
}

const addrOf = (cidrText: string, original: string, invert: boolean): AddrSpec => {
  try {
    const c = parseCidr(cidrText, { strict: false })
    return { ip: c.base, prefix: c.prefix, invert }
  } catch {
    return fail(original, "expected an IPv4 address or CIDR (host names are not resolved)")
  }
}

const contiguousPrefix = (mask: number): number => {
  for (let p = 0; p <= 32; p++) if ((p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0) === mask) return p
  return -1
}

const parseProto = (text: string): number => {
  const lower = text.toLowerCase()
  if (lower === "all" || lower === "0") return 0
  const named = PROTO_BY_NAME.get(lower)
  if (named !== undefined) return named
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text)
  return fail(text, "unknown protocol (expected tcp, udp, icmp, sctp, all or a number 0-255)")
}

/** strtoul(base 0)-style unsigned 32-bit number: decimal, 0x hex or 0 octal. */
const parseU32 = (text: string): number => {
  let n: number
  if (/^0x[0-9a-f]+$/i.test(text)) n = Number.parseInt(text.slice(2), 16)
  else if (/^0[0-7]+$/.test(text)) n = Number.parseInt(text.slice(1), 8)
  else if (/^(0|[1-9][0-9]*)$/.test(text)) n = Number(text)
  else return fail(text, "expected an unsigned number (decimal or 0x hex)")
  if (n > 0xffffffff) fail(text, "number does not fit in 32 bits")
  return n
}

/** `value[/mask]` with mask defaulting to 0xffffffff (libxtables XTTYPE_MARKMASK32). */
const parseMarkMask = (text: string): [number, number] => {
  const slash = text.indexOf("/")
  if (slash < 0) return [parseU32(text), 0xffffffff]
  return [parseU32(text.slice(0, slash)), parseU32(text.slice(slash + 1))]
}

const parsePortRange = (text: string, invert: boolean): PortRange => {
  const colon = text.indexOf(":")
  const port = (t: string, dflt: number): number => {
    if (t === "") return dflt
    const p = tryParsePort(t)
    return p ?? fail(text, "expected a port number or range like 80 or 1024:65535 (service names are not resolved)")
  }
  if (colon < 0) {
    const p = port(text, -1)
    if (p < 0) fail(text, "expected a port number")
    return { min: p, max: p, invert }
  }
  const min = port(text.slice(0, colon), 0)
  const max = port(text.slice(colon + 1), 65535)
  if (min > max) fail(text, "port range is reversed")
  return { min, max, invert }
}

const ADDRTYPES = [
  "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT",
  "THROW", "NAT", "XRESOLVE",
] as const

/** Address type names in bit order (libxt_addrtype.c `rtn_names`). */
export const ADDRTYPE_NAMES: readonly string[] = ADDRTYPES

const parseAddrTypes = (text: string): number => {
  let bits = 0
  for (const part of text.split(",")) {
    const i = ADDRTYPES.indexOf(part.toUpperCase() as (typeof ADDRTYPES)[number])
    if (i < 0) fail(text, `unknown address type "${part}" (expected ${ADDRTYPES.join(", ")})`)
    bits |= 1 << i
  }
  return bits
}

const CTSTATES: ReadonlyMap<string, number> = new Map([
  ["INVALID", 1 << 0],
  ["ESTABLISHED", 1 << 1],
  ["RELATED", 1 << 2],
  ["NEW", 1 << 3],
  ["UNTRACKED", 1 << 8],
  ["SNAT", 1 << 9],
  ["DNAT", 1 << 10],
])

const parseCtStates = (text: string): number => {
  let bits = 0
  for (const part of text.split(",")) {
    const b = CTSTATES.get(part.toUpperCase())
    if (b === undefined) fail(text, `unknown conntrack state "${part}" (expected INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT or DNAT)`)
    bits |= b as number
  }
  return bits
}

const unknownMatch = (g: Group): Match => ({
  kind: "unknown",
  module: g.module,
  args: g.opts.flatMap((o) => [...(o.invert ? ["!"] : []), o.name, ...o.values]),
})

const buildMatch = (g: Group, proto: ProtoSpec | null): Match => {
  if (!g.known) return unknownMatch(g)
  const specs = MATCH_OPTIONS[g.module] ?? {}
  if (g.opts.some((o) => !(specs[o.name]?.modelled ?? false))) return unknownMatch(g)
  const first = (names: readonly string[]): Opt | undefined => g.opts.find((o) => names.includes(o.name))
  const once = (names: readonly string[]): Opt | undefined => {
    const all = g.opts.filter((o) => names.includes(o.name))
    if (all.length > 1) fail(names[0] as string, `${names[0]} given twice in -m ${g.module}`)
    return all[0]
  }
  for (const o of g.opts) once([o.name])
  switch (g.module) {
    case "comment": {
      const c = first(["--comment"])
      if (c === undefined) return fail("-m comment", "-m comment needs --comment")
      if ((c.values[0] as string).length > 255) fail(c.values[0] as string, "comment is longer than 255 characters")
      return { kind: "comment", comment: c.values[0] as string }
    }
    case "tcp":
    case "udp":
    case "sctp": {
      const want = PROTO_BY_NAME.get(g.module)
      if (proto === null || proto.invert || proto.proto !== want) {
        fail(`-m ${g.module}`, `the ${g.module} match needs "-p ${g.module}" (the kernel rejects it otherwise)`)
      }
      const s = first(["--sport", "--source-port"])
      const d = first(["--dport", "--destination-port"])
      if (g.opts.filter((o) => o.name.includes("source") || o.name === "--sport").length > 1) fail("--sport", "--sport given twice")
      if (g.opts.filter((o) => o.name.includes("destination") || o.name === "--dport").length > 1) fail("--dport", "--dport given twice")
      return {
        kind: g.module,
        sport: s === undefined ? null : parsePortRange(s.values[0] as string, s.invert),
        dport: d === undefined ? null : parsePortRange(d.values[0] as string, d.invert),
      }
    }
    case "statistic": {
      const mode = first(["--mode"])
      const prob = first(["--probability"])
      const every = first(["--every"])
      const packet = first(["--packet"])
      if (mode === undefined) return fail("-m statistic", "-m statistic needs --mode random or --mode nth")
      const m = mode.values[0] as string
      if (m === "random") {
        if (prob === undefined) return fail("--mode", "--mode random needs --probability")
        if (every !== undefined || packet !== undefined) fail("--every", "--every/--packet belong to --mode nth")
        const text = prob.values[0] as string
        const p = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN
        if (!(p >= 0 && p <= 1)) fail(text, "--probability must be a number between 0 and 1")
        return { kind: "statistic", mode: "random", probability: probabilityThreshold(p), invert: prob.invert }
      }
      if (m === "nth") {
        if (prob !== undefined) fail("--probability", "--probability belongs to --mode random")
        if (every === undefined) return fail("--mode", "--mode nth needs --every")
        const n = parseU32(every.values[0] as string)
        if (n < 1) fail(every.values[0] as string, "--every must be at least 1")
        const p = packet === undefined ? 0 : parseU32(packet.values[0] as string)
        if (p > n - 1) fail(String(p), "--packet must be between 0 and --every minus 1")
        return { kind: "statistic", mode: "nth", every: n - 1, packet: p, invert: every.invert }
      }
      return fail(m, 'bad --mode (expected "random" or "nth")')
    }
    case "recent": {
      const cmds = g.opts.filter((o) => ["--set", "--rcheck", "--update", "--remove"].includes(o.name))
      if (cmds.length !== 1) return fail("-m recent", "-m recent needs exactly one of --set, --rcheck, --update, --remove")
      const cmd = cmds[0] as Opt
      const command = cmd.name.slice(2) as "set" | "rcheck" | "update" | "remove"
      const seconds = first(["--seconds"])
      const hitcount = first(["--hitcount"])
      const reap = first(["--reap"]) !== undefined
      const rttl = first(["--rttl"]) !== undefined
      const checking = command === "rcheck" || command === "update"
      // xt_recent.c recent_mt_check: modifiers only with --rcheck/--update; --reap needs --seconds.
      if (!checking && (seconds !== undefined || hitcount !== undefined || reap || rttl)) {
        fail(cmd.name, `--seconds, --hitcount, --reap and --rttl cannot be used with ${cmd.name}`)
      }
      const secs = seconds === undefined ? 0 : parseU32(seconds.values[0] as string)
      if (seconds !== undefined && secs < 1) fail(seconds.values[0] as string, "--seconds must be at least 1")
      if (reap && secs === 0) fail("--reap", "--reap needs --seconds")
      const hits = hitcount === undefined ? 0 : parseU32(hitcount.values[0] as string)
      if (hits > 255) fail(String(hits), "--hitcount must be below 256")
      const name = first(["--name"])?.values[0] ?? "DEFAULT"
      if (name === "" || name.length > 199 || name.includes("/") || name === "." || name === "..") fail(name, "invalid recent list name")
      const maskText = first(["--mask"])?.values[0]
      let mask: Ipv4 = 0xffffffff
      if (maskText !== undefined) mask = tryParseIpv4(maskText) ?? fail(maskText, "--mask needs an IPv4 netmask like 255.255.255.255")
      const sides = g.opts.filter((o) => o.name === "--rsource" || o.name === "--rdest")
      const side = sides.length === 0 || sides[sides.length - 1]?.name === "--rsource" ? "source" : "dest"
      return { kind: "recent", command, invert: cmd.invert, seconds: secs, reap, hitcount: hits, rttl, name, mask, side }
    }
    case "set": {
      const ms = first(["--match-set"])
      if (ms === undefined) return fail("-m set", "-m set needs --match-set NAME FLAGS")
      const name = ms.values[0] as string
      const flagText = ms.values[1] as string
      // libxt_set.h get_set_byname / parse_dirs: at most IPSET_DIM_MAX (6) flags, each src or dst.
      const flags = flagText.split(",")
      if (flags.length > 6 || flags.some((f) => f !== "src" && f !== "dst")) fail(flagText, 'bad --match-set flags (expected "src" or "dst" per dimension, comma separated, e.g. dst,dst)')
      if (name === "" || name.length > 31) fail(name, "bad ipset name (1 to 31 characters)")
      let srcBits = 0
      flags.forEach((f, i) => {
        if (f === "src") srcBits |= 1 << i
      })
      return { kind: "set", name, flags: flags as Array<"src" | "dst">, srcBits, invert: ms.invert }
    }
    case "mark": {
      const m = first(["--mark"])
      if (m === undefined) return fail("-m mark", "-m mark needs --mark")
      const [mark, mask] = parseMarkMask(m.values[0] as string)
      return { kind: "mark", mark, mask, invert: m.invert }
    }
    case "addrtype": {
      const s = first(["--src-type"])
      const d = first(["--dst-type"])
      if (s === undefined && d === undefined) return fail("-m addrtype", "-m addrtype needs --src-type or --dst-type")
      return {
        kind: "addrtype",
        srcType: s === undefined ? 0 : parseAddrTypes(s.values[0] as string),
        dstType: d === undefined ? 0 : parseAddrTypes(d.values[0] as string),
        invertSrc: s?.invert ?? false,
        invertDst: d?.invert ?? false,
      }
    }
    case "conntrack": {
      const s = first(["--ctstate"])
      if (s === undefined) return fail("-m conntrack", "-m conntrack needs an option")
      return { kind: "conntrack", ctstate: parseCtStates(s.values[0] as string), invert: s.invert }
    }
    case "physdev": {
      // libxt_physdev.c physdev_parse / physdev_check: at least one option.
      if (g.opts.length === 0) return fail("-m physdev", "-m physdev needs at least one option (--physdev-in, --physdev-out, --physdev-is-in, --physdev-is-out, --physdev-is-bridged)")
      const dev = (name: string): IfaceSpec | null => {
        const o = first([name])
        if (o === undefined) return null
        const v = o.values[0] as string
        if (v === "" || v.length > 15) fail(v, `${name} needs an interface name of 1 to 15 characters`)
        return { name: v, invert: o.invert }
      }
      const flag = (name: string): { readonly invert: boolean } | null => {
        const o = first([name])
        return o === undefined ? null : { invert: o.invert }
      }
      return {
        kind: "physdev",
        physdevIn: dev("--physdev-in"),
        physdevOut: dev("--physdev-out"),
        isIn: flag("--physdev-is-in"),
        isOut: flag("--physdev-is-out"),
        isBridged: flag("--physdev-is-bridged"),
      }
    }
    case "ipvs": {
      const ip = first(["--ipvs"])
      const p = first(["--vproto"])
      const a = first(["--vaddr"])
      const port = first(["--vport"])
      const dir = first(["--vdir"])
      if (g.opts.length === 0) return fail("-m ipvs", "-m ipvs needs an option (--ipvs, --vproto, --vaddr, --vport, --vdir)")
      let vdirReply: boolean | null = null
      if (dir !== undefined) {
        const d = (dir.values[0] as string).toUpperCase()
        // libxt_ipvs.c ipvs_mt_parse: --vdir ORIGINAL or REPLY.
        if (d !== "ORIGINAL" && d !== "REPLY") fail(dir.values[0] as string, '--vdir needs "ORIGINAL" or "REPLY"')
        vdirReply = d === "REPLY"
      }
      let vport: { port: number; invert: boolean } | null = null
      if (port !== undefined) {
        const n = tryParsePort(port.values[0] as string)
        if (n === null) fail(port.values[0] as string, "--vport needs a port number 0-65535")
        vport = { port: n as number, invert: port.invert }
      }
      return {
        kind: "ipvs",
        ipvsInvert: ip?.invert ?? false,
        vproto: p === undefined ? null : { proto: parseProto(p.values[0] as string), invert: p.invert },
        vaddr: a === undefined ? null : parseAddr(a.values[0] as string, a.invert),
        vport,
        vdirReply,
      }
    }
  }
  return unknownMatch(g)
}

const REJECT_ALIASES: ReadonlyMap<string, RejectWith> = new Map([
  ["icmp-net-unreachable", "icmp-net-unreachable"],
  ["net-unreach", "icmp-net-unreachable"],
  ["icmp-host-unreachable", "icmp-host-unreachable"],
  ["host-unreach", "icmp-host-unreachable"],
  ["icmp-port-unreachable", "icmp-port-unreachable"],
  ["port-unreach", "icmp-port-unreachable"],
  ["icmp-proto-unreachable", "icmp-proto-unreachable"],
  ["proto-unreach", "icmp-proto-unreachable"],
  ["icmp-net-prohibited", "icmp-net-prohibited"],
  ["net-prohib", "icmp-net-prohibited"],
  ["icmp-host-prohibited", "icmp-host-prohibited"],
  ["host-prohib", "icmp-host-prohibited"],
  ["tcp-reset", "tcp-reset"],
  ["tcp-rst", "tcp-reset"],
  ["icmp-admin-prohibited", "icmp-admin-prohibited"],
  ["admin-prohib", "icmp-admin-prohibited"],
] as const)

/** `[ip][:port[-port]]` as DNAT/SNAT take it (libxt_DNAT.c `parse_to`); address ranges are not modelled. */
const parseNatRange = (text: string, needIp: boolean): NatRange => {
  const colon = text.indexOf(":")
  const ipText = colon < 0 ? text : text.slice(0, colon)
  let ip: Ipv4 | null = null
  if (ipText !== "") {
    if (ipText.includes("-")) fail(text, "address ranges in NAT targets are not supported by the simulator")
    ip = tryParseIpv4(ipText) ?? fail(text, "expected ip[:port[-port]] like 10.180.0.1:80")
  } else if (needIp) {
    fail(text, "expected ip[:port[-port]] like 10.180.0.1:80")
  }
  if (colon < 0) return { ip, portMin: null, portMax: null }
  const [lo, hi] = parsePorts(text.slice(colon + 1), text)
  return { ip, portMin: lo, portMax: hi }
}

const parsePorts = (t: string, whole: string): [number, number] => {
  const dash = t.indexOf("-")
  const lo = tryParsePort(dash < 0 ? t : t.slice(0, dash))
  const hi = dash < 0 ? lo : tryParsePort(t.slice(dash + 1))
  if (lo === null || hi === null || lo === 0 || lo > hi) return fail(whole, "expected a port or port range like 80 or 1024-2048")
  return [lo, hi]
}

const buildTarget = (name: string | null, goto: boolean, opts: readonly Opt[], ctx: RuleParseContext): Target => {
  if (name === null) return { kind: "none" }
  const flag = (n: string): boolean => opts.some((o) => o.name === n)
  const val = (n: string): string | undefined => opts.find((o) => o.name === n)?.values[0]
  const builtin = name in TARGET_OPTIONS
  if (goto && builtin) fail(name, `-g needs a user chain, not ${name}`)
  if (!builtin && ctx.isChain(name)) {
    if (opts.length > 0) fail((opts[0] as Opt).name, `a jump to chain ${name} takes no options`)
    return { kind: "chain", chain: name, goto }
  }
  for (const o of opts) if (o.invert) fail(o.name, `"!" cannot precede ${o.name}`)
  switch (name) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return { kind: name }
    case "REJECT": {
      const w = val("--reject-with") ?? "icmp-port-unreachable"
      const r = REJECT_ALIASES.get(w)
      if (r === undefined) fail(w, `unknown --reject-with type (expected one of ${[...new Set(REJECT_ALIASES.values())].join(", ")})`)
      return { kind: "REJECT", with: r as RejectWith }
    }
    case "DNAT": {
      const to = val("--to-destination")
      if (to === undefined) return fail("DNAT", "DNAT needs --to-destination")
      return { kind: "DNAT", to: parseNatRange(to, false), random: flag("--random"), persistent: flag("--persistent") }
    }
    case "SNAT": {
      const to = val("--to-source")
      if (to === undefined) return fail("SNAT", "SNAT needs --to-source")
      return {
        kind: "SNAT",
        to: parseNatRange(to, true),
        random: flag("--random"),
        randomFully: flag("--random-fully"),
        persistent: flag("--persistent"),
      }
    }
    case "MASQUERADE": {
      const p = val("--to-ports")
      const [lo, hi] = p === undefined ? [null, null] : parsePorts(p, p)
      return { kind: "MASQUERADE", portMin: lo, portMax: hi, random: flag("--random"), randomFully: flag("--random-fully") }
    }
    case "MARK": {
      if (opts.length !== 1) return fail("MARK", "MARK needs exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark")
      const o = opts[0] as Opt
      const v = o.values[0] as string
      // libxt_MARK.c mark_tg_parse: every form becomes (mark, mask) for `(skb->mark & ~mask) ^ mark`.
      switch (o.name) {
        case "--set-xmark": {
          const [mark, mask] = parseMarkMask(v)
          return { kind: "MARK", mark, mask }
        }
        case "--set-mark": {
          const [mark, mask] = parseMarkMask(v)
          return { kind: "MARK", mark, mask: (mark | mask) >>> 0 }
        }
        case "--and-mark":
          return { kind: "MARK", mark: 0, mask: ~parseU32(v) >>> 0 }
        case "--or-mark": {
          const bits = parseU32(v)
          return { kind: "MARK", mark: bits, mask: bits }
        }
        default:
          return { kind: "MARK", mark: parseU32(v), mask: 0 }
      }
    }
  }
  if (UNMODELLED_TARGETS.has(name)) {
    return { kind: "unknown", name, args: opts.flatMap((o) => [o.name, ...o.values]) }
  }
  return fail(name, `no chain or target named ${name} in this table`)
}
