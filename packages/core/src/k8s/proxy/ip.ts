/**
 * The little address arithmetic kube-proxy's core needs: telling IPv4 from IPv6 (the proxier is single-family,
 * as upstream's, and drops the other family's IPs: pkg/proxy/util MapIPsByIPFamily / MapCIDRsByIPFamily) and
 * CIDR containment (loadBalancerSourceRanges vs. the node IP, nodePortAddresses vs. interface addresses).
 * IPv4 only; IPv6 strings are recognised so they can be filtered out.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** The uint32 value of a dotted-quad IPv4 address, or -1 if `s` is not one. */
export const parseIpv4 = (s: string): number => {
  const m = IPV4.exec(s)
  if (m === null) return -1
  let v = 0
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i])
    if (octet > 255) return -1
    v = v * 256 + octet
  }
  return v
}

export const isIpv4 = (s: string): boolean => parseIpv4(s) >= 0

/** A parsed IPv4 CIDR; `text` is the canonical form Go's `(*net.IPNet).String()` prints (network address). */
export interface Ipv4Cidr {
  readonly network: number
  readonly prefix: number
  readonly text: string
}

const formatIpv4 = (v: number): string => `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)

/** Parses `a.b.c.d/n` (as Go's net.ParseCIDR: the host bits are masked off); undefined if it is not IPv4. */
export const parseIpv4Cidr = (s: string): Ipv4Cidr | undefined => {
  const slash = s.indexOf("/")
  if (slash < 0) return undefined
  const addr = parseIpv4(s.slice(0, slash))
  const prefixText = s.slice(slash + 1)
  if (addr < 0 || !/^\d{1,2}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > 32) return undefined
  const network = (addr & maskOf(prefix)) >>> 0
  return { network, prefix, text: `${formatIpv4(network)}/${prefix}` }
}

export const cidrContains = (cidr: Ipv4Cidr, ip: string): boolean => {
  const v = parseIpv4(ip)
  return v >= 0 && ((v & maskOf(cidr.prefix)) >>> 0) === cidr.network
}

/** net.JoinHostPort for the proxier's family. */
export const joinHostPort = (ip: string, port: number): string => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`)
