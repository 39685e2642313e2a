import { AddressParseError } from "./errors"
import { type Ipv4, formatIpv4, tryParseIpv4 } from "./ipv4"

/** An IPv4 network: `base` has no bits set beyond `prefix` (10.0.0.0/8, never 10.1.2.3/8). */
export interface Cidr {
  readonly base: Ipv4
  /** Prefix length, 0–32. */
  readonly prefix: number
}

/** The netmask of a prefix length as a uint32 (24 → 0xffffff00). */
export const prefixMask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)

/** The prefix length of a contiguous netmask, or -1 if the mask is not contiguous. */
export const maskPrefix = (mask: number): number => {
  for (let p = 0; p <= 32; p++) if (prefixMask(p) === mask >>> 0) return p
  return -1
}

/** A CIDR from an address and prefix; host bits of `ip` are cleared, as the kernel and iptables do. */
export const cidr = (ip: Ipv4, prefix: number): Cidr => {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new RangeError(`prefix length ${prefix} is outside 0-32`)
  }
  return { base: (ip & prefixMask(prefix)) >>> 0, prefix }
}

const EXPECTED = "an IPv4 CIDR like 10.0.0.0/8"

/**
 * Parses `a.b.c.d/n`. Strict by default: host bits must be zero, as Kubernetes' `netutils.ParseCIDRSloppy`'s
 * strict sibling requires for service and pod CIDRs. `{ strict: false }` clears host bits instead (iptables'
 * `-s 10.1.2.3/8` is stored as 10.0.0.0/8); a bare address is then a /32.
 */
export const parseCidr = (text: string, options: { strict?: boolean } = {}): Cidr => {
  const strict = options.strict ?? true
  const slash = text.indexOf("/")
  if (slash < 0) {
    if (strict) throw new AddressParseError(text, EXPECTED)
    const ip = tryParseIpv4(text)
    if (ip === null) throw new AddressParseError(text, EXPECTED)
    return { base: ip, prefix: 32 }
  }
  const ip = tryParseIpv4(text.slice(0, slash))
  const p = text.slice(slash + 1)
  if (ip === null || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(p)) throw new AddressParseError(text, EXPECTED)
  const prefix = Number(p)
  const base = (ip & prefixMask(prefix)) >>> 0
  if (strict && base !== ip) {
    throw new AddressParseError(text, `an IPv4 CIDR with no host bits set (did you mean ${formatIpv4(base)}/${prefix}?)`)
  }
  return { base, prefix }
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.base)}/${c.prefix}`

/** True if `ip` lies inside `c`. */
export const cidrContains = (c: Cidr, ip: Ipv4): boolean => ((ip & prefixMask(c.prefix)) >>> 0) === c.base

/** Number of addresses in the network, including network and broadcast addresses. */
export const cidrSize = (c: Cidr): number => 2 ** (32 - c.prefix)

/** The last address of the network (its broadcast address for prefixes below 31). */
export const cidrLast = (c: Cidr): Ipv4 => (c.base + cidrSize(c) - 1) >>> 0

/** The address at `index` (0 = the network address); throws if outside the network. */
export const cidrAt = (c: Cidr, index: number): Ipv4 => {
  if (!Number.isInteger(index) || index < 0 || index >= cidrSize(c)) {
    throw new RangeError(`index ${index} is outside ${formatCidr(c)} (size ${cidrSize(c)})`)
  }
  return (c.base + index) >>> 0
}

/** True if `inner` lies entirely inside `outer`. */
export const cidrContainsCidr = (outer: Cidr, inner: Cidr): boolean =>
  inner.prefix >= outer.prefix && cidrContains(outer, inner.base)

/** Every address of the network in ascending order, network and broadcast addresses included. */
export function* cidrAddresses(c: Cidr): Generator<Ipv4> {
  const n = cidrSize(c)
  for (let i = 0; i < n; i++) yield (c.base + i) >>> 0
}

/**
 * The usable host addresses in ascending order: all but the network and broadcast address for prefixes up
 * to /30 (Kubernetes' `hostsPerNetwork`, pkg/registry/core/service/ipallocator), every address for /31 and /32.
 */
export function* cidrHosts(c: Cidr): Generator<Ipv4> {
  const n = cidrSize(c)
  const [first, last] = c.prefix >= 31 ? [0, n - 1] : [1, n - 2]
  for (let i = first; i <= last; i++) yield (c.base + i) >>> 0
}

/** Splits `c` into consecutive subnets of length `prefix` (e.g. a /16 cluster CIDR into /24 node pod CIDRs). */
export const cidrSubnet = (c: Cidr, prefix: number, index: number): Cidr => {
  if (prefix < c.prefix || prefix > 32) throw new RangeError(`cannot split ${formatCidr(c)} into /${prefix} subnets`)
  const count = 2 ** (prefix - c.prefix)
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`subnet index ${index} is outside the ${count} /${prefix} subnets of ${formatCidr(c)}`)
  }
  return { base: (c.base + index * 2 ** (32 - prefix)) >>> 0, prefix }
}
