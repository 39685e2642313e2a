import { AddressParseError } from "./errors"

/**
 * An IPv4 address as an unsigned 32-bit integer in host order (10.0.0.1 = 0x0a000001).
 * Always in [0, 2^32 − 1]; arithmetic that can leave that range must end in `>>> 0`.
 */
export type Ipv4 = number

const EXPECTED = "an IPv4 address in dotted-quad form, like 10.0.0.1"

/**
 * Parses a dotted quad strictly: four decimal octets 0–255, no leading zeros (as Go's net.ParseIP since
 * 1.17 and the kernel's in4_pton reject octal-looking octets), no surrounding whitespace.
 */
export const parseIpv4 = (text: string): Ipv4 => {
  const ip = tryParseIpv4(text)
  if (ip === null) throw new AddressParseError(text, EXPECTED)
  return ip
}

/** Like `parseIpv4`, but returns null instead of throwing (for hot parsers that report their own errors). */
export const tryParseIpv4 = (text: string): Ipv4 | null => {
  const n = text.length
  if (n < 7 || n > 15) return null
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return null
      value = value * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null // leading zero
      octet = octet * 10 + (c - 48)
      digits++
      if (octet > 255) return null
    } else {
      return null
    }
  }
  if (dots !== 3 || digits === 0) return null
  return value * 256 + octet
}

/** Dotted-quad text of an address. */
export const formatIpv4 = (ip: Ipv4): string =>
  `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`

/** True if `n` is a whole number in [0, 2^32 − 1]. */
export const isIpv4 = (n: number): n is Ipv4 => Number.isInteger(n) && n >= 0 && n <= 0xffffffff
