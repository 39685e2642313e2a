import { AddressParseError } from "./errors"
import { type Ipv4, formatIpv4, tryParseIpv4 } from "./ipv4"

/** A transport endpoint: address and port (1–65535; 0 only where "any port" is meant). */
export interface IpPort {
  readonly ip: Ipv4
  readonly port: number
}

const EXPECTED = "an IPv4 address and port like 10.0.0.1:80"

/** Parses a decimal port 0–65535 without sign, spaces or leading zeros; null if invalid. */
export const tryParsePort = (text: string): number | null => {
  if (!/^(?:0|[1-9][0-9]{0,4})$/.test(text)) return null
  const n = Number(text)
  return n <= 65535 ? n : null
}

/** Parses `a.b.c.d:port` (Go's `net.JoinHostPort` form for IPv4). */
export const parseIpPort = (text: string): IpPort => {
  const colon = text.lastIndexOf(":")
  if (colon < 0) throw new AddressParseError(text, EXPECTED)
  const ip = tryParseIpv4(text.slice(0, colon))
  const port = tryParsePort(text.slice(colon + 1))
  if (ip === null || port === null) throw new AddressParseError(text, EXPECTED)
  return { ip, port }
}

export const formatIpPort = (e: IpPort): string => `${formatIpv4(e.ip)}:${e.port}`
