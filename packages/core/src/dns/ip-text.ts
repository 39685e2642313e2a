/**
 * IP address text as DNS needs it: recognising IPv4/IPv6 literals, canonical IPv6 text (RFC 5952, what Go's
 * `net.IP.String()` prints), reverse-lookup names and CoreDNS' dashed endpoint names. Addresses stay strings
 * here because the API carries them as strings.
 */

/** The four octets of a dotted-quad IPv4 literal, or undefined. */
export const parseIpv4 = (s: string): number[] | undefined => {
  const parts = s.split(".")
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    out.push(n)
  }
  return out
}

/** The eight 16-bit groups of an IPv6 literal (with `::` and an optional dotted-quad tail), or undefined. */
export const parseIpv6 = (s: string): number[] | undefined => {
  if (s.length === 0 || s.includes(":::")) return undefined
  const halves = s.split("::")
  if (halves.length > 2) return undefined
  const parseHalf = (h: string): number[] | undefined => {
    if (h === "") return []
    const out: number[] = []
    const groups = h.split(":")
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g)
        if (v4 === undefined) return undefined
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
        continue
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const head = parseHalf(halves[0] as string)
  if (head === undefined) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  const tail = parseHalf(halves[1] as string)
  if (tail === undefined || head.length + tail.length > 7) return undefined
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

export const isIpv4 = (s: string): boolean => parseIpv4(s) !== undefined
export const isIpv6 = (s: string): boolean => s.includes(":") && parseIpv6(s) !== undefined

/** RFC 5952 text of eight groups: lower case, longest run (≥2) of zero groups as `::` (Go `net.IP.String`). */
export const formatIpv6 = (groups: ReadonlyArray<number>): string => {
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":")
  if (bestStart < 0) return hex(0, 8)
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`
}

/** Canonical text of an IP literal (IPv4 unchanged, IPv6 per RFC 5952), or undefined if it is not one. */
export const canonicalIp = (s: string): string | undefined => {
  const v4 = parseIpv4(s)
  if (v4 !== undefined) return v4.join(".")
  const v6 = parseIpv6(s)
  return v6 === undefined ? undefined : formatIpv6(v6)
}

/** `d.c.b.a.in-addr.arpa.` / 32 nibbles `.ip6.arpa.` for an address (miekg/dns `ReverseAddr`). */
export const reverseName = (ip: string): string | undefined => {
  const v4 = parseIpv4(ip)
  if (v4 !== undefined) return `${[...v4].reverse().join(".")}.in-addr.arpa.`
  const v6 = parseIpv6(ip)
  if (v6 === undefined) return undefined
  const nibbles: string[] = []
  for (let i = 7; i >= 0; i--) {
    const g = v6[i] as number
    nibbles.push((g & 0xf).toString(16), ((g >> 4) & 0xf).toString(16), ((g >> 8) & 0xf).toString(16), ((g >> 12) & 0xf).toString(16))
  }
  return `${nibbles.join(".")}.ip6.arpa.`
}

/**
 * The address a full reverse name stands for (CoreDNS `plugin/pkg/dnsutil/reverse.go`
 * `ExtractAddressFromReverse`): 4 labels under in-addr.arpa or 32 nibbles under ip6.arpa; otherwise undefined.
 */
export const addressFromReverse = (name: string): string | undefined => {
  const n = name.toLowerCase().replace(/\.$/, "")
  if (n.endsWith(".in-addr.arpa")) {
    const labels = n.slice(0, -".in-addr.arpa".length).split(".")
    if (labels.length !== 4) return undefined
    return canonicalIp(labels.reverse().join("."))
  }
  if (n.endsWith(".ip6.arpa")) {
    const labels = n.slice(0, -".ip6.arpa".length).split(".")
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined
    const hex = labels.reverse().join("")
    const groups: number[] = []
    for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex.slice(i, i + 4), 16))
    return formatIpv6(groups)
  }
  return undefined
}

/** Whether a name is under in-addr.arpa or ip6.arpa (CoreDNS `dnsutil.IsReverse` > 0). */
export const isReverseName = (name: string): boolean => {
  const n = name.toLowerCase().replace(/\.$/, "")
  return n.endsWith("in-addr.arpa") || n.endsWith("ip6.arpa")
}

/**
 * The system-assigned endpoint hostname CoreDNS gives an address without a hostname (coredns
 * `plugin/kubernetes/kubernetes.go` `endpointHostname`): IPv4 dots → dashes; IPv6 colons → dashes, with "0"
 * appended if the result ends in a dash.
 */
export const dashedIp = (ip: string): string => {
  if (ip.includes(":")) {
    const d = ip.replace(/:/g, "-")
    return d.endsWith("-") ? `${d}0` : d
  }
  return ip.replace(/\./g, "-")
}
