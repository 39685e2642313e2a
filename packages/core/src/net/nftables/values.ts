import { NANOS_PER_MILLI, type Nanos } from "../../sim/index"
import { formatIpv4, tryParseIpv4 } from "../addr/index"
import { CT_ESTABLISHED, CT_INVALID, CT_NEW, CT_RELATED, CT_UNTRACKED } from "../netfilter/index"
import type { NftKeyPart, NftSelector, NftType } from "./model"

/** The data type a selector yields (nftables' datatype of the expression). */
export const selectorType = (s: NftSelector): NftType => {
  switch (s.kind) {
    case "ip":
      return s.field === "protocol" ? "inet_proto" : "ipv4_addr"
    case "meta":
      return s.key === "l4proto" ? "inet_proto" : s.key === "mark" ? "mark" : "ifname"
    case "th":
    case "l4":
      return "inet_service"
    case "ct-state":
      return "ct_state"
    case "fib":
      return "fib_addrtype"
    case "numgen":
      return "integer"
  }
}

// include/uapi/linux/in.h protocol numbers nft prints by name (nft's inet_protocol_type uses getprotobyname).
const PROTO_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["icmp", 1],
  ["tcp", 6],
  ["udp", 17],
  ["sctp", 132],
]

// nft's ct_state_type symbols, in the bit order nft prints a combination in (ct.c ct_state_tbl).
export const CT_STATE_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["invalid", CT_INVALID],
  ["established", CT_ESTABLISHED],
  ["related", CT_RELATED],
  ["new", CT_NEW],
  ["untracked", CT_UNTRACKED],
]

// include/uapi/linux/rtnetlink.h RTN_* (nft's fib_addr_type).
export const FIB_TYPES: ReadonlyArray<string> = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit"]

/** Parses one value of `type`; null if the text is not one. CIDRs only for ipv4_addr. Bitmask lists are split by the caller. */
export const parseValue = (type: NftType, text: string): NftKeyPart | null => {
  switch (type) {
    case "ipv4_addr": {
      const slash = text.indexOf("/")
      if (slash < 0) {
        const ip = tryParseIpv4(text)
        return ip === null ? null : { value: ip, prefix: 32 }
      }
      const ip = tryParseIpv4(text.slice(0, slash))
      const p = Number(text.slice(slash + 1))
      if (ip === null || !/^\d+$/.test(text.slice(slash + 1)) || p > 32) return null
      const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0
      return { value: (ip & mask) >>> 0, prefix: p }
    }
    case "inet_proto": {
      for (const [name, num] of PROTO_NAMES) if (name === text) return { value: num, prefix: 32 }
      return intIn(text, 255)
    }
    case "inet_service":
      return intIn(text, 65535)
    case "mark":
    case "integer":
      return intIn(text, 0xffffffff)
    case "ct_state": {
      for (const [name, bit] of CT_STATE_NAMES) if (name === text) return { value: bit, prefix: 32 }
      return null
    }
    case "fib_addrtype": {
      const i = FIB_TYPES.indexOf(text)
      return i < 0 ? null : { value: i, prefix: 32 }
    }
    case "ifname":
      return null
  }
}

const intIn = (text: string, max: number): NftKeyPart | null => {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return null
  const v = Number(text)
  return v <= max ? { value: v, prefix: 32 } : null
}

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, "0")}`

/** A value as `nft list` prints it. */
export const formatValue = (type: NftType, part: NftKeyPart): string => {
  const v = part.value
  switch (type) {
    case "ipv4_addr":
      return part.prefix === 32 ? formatIpv4(v) : `${formatIpv4(v)}/${part.prefix}`
    case "inet_proto": {
      for (const [name, num] of PROTO_NAMES) if (num === v) return name
      return String(v)
    }
    case "mark":
      return hex8(v)
    case "ct_state": {
      const names: string[] = []
      for (const [name, bit] of CT_STATE_NAMES) if ((v & bit) !== 0) names.push(name)
      return names.join(",")
    }
    case "fib_addrtype":
      return FIB_TYPES[v] ?? String(v)
    default:
      return String(v)
  }
}

/** nft's time_print (src/datatype.c): days, hours, minutes, seconds and milliseconds, zero units left out. */
export const formatNftTime = (t: Nanos): string => {
  let ms = Math.floor(t / NANOS_PER_MILLI)
  const units: ReadonlyArray<readonly [string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ]
  let s = ""
  for (const [u, size] of units) {
    const q = Math.floor(ms / size)
    ms -= q * size
    if (q > 0) s += `${q}${u}`
  }
  return s === "" ? "0s" : s
}

/** nft's time_parse: `10800s`, `3h`, `1m30s`, `500ms`, or plain seconds. Null if malformed. */
export const parseNftTime = (text: string): Nanos | null => {
  if (/^\d+$/.test(text)) return Number(text) * 1000 * NANOS_PER_MILLI
  const re = /(\d+)(ms|d|h|m|s)/y
  let ms = 0
  let i = 0
  while (i < text.length) {
    re.lastIndex = i
    const m = re.exec(text)
    if (m === null) return null
    const q = Number(m[1])
    ms += q * ({ d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as Record<string, number>)[m[2] as string]!
    i = re.lastIndex
  }
  return i === 0 ? null : ms * NANOS_PER_MILLI
}
