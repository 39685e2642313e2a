import { type Ipv4, tryParseIpv4, tryParsePort } from "../net/index"

/** An `http://host[:port][/path]` URL as a client takes it apart. */
export interface HttpUrl {
  /** The URL as given. */
  readonly text: string
  readonly host: string
  /** The host when it is an IPv4 literal (then no DNS lookup happens), else null. */
  readonly ip: Ipv4 | null
  readonly port: number
  /** Starts with "/"; "/" when the URL has no path. */
  readonly path: string
}

/** A URL the clients cannot use; the message quotes it and says what was expected. */
export class UrlError extends Error {
  override readonly name = "UrlError"
}

const EXPECTED = "expected http://host[:port][/path], e.g. http://web-service or http://10.96.0.10:8080/index.html"

/**
 * Parses an http URL as busybox wget does (networking/wget.c parse_url): the scheme `http://` (default
 * port 80), the host up to the first `/`, `?` or `#`, an optional `:port`, the rest as the path.
 * User info (`user@`) is dropped. Only http is simulated.
 */
export const parseHttpUrl = (text: string): HttpUrl => {
  if (typeof text !== "string" || !text.startsWith("http://")) throw new UrlError(`invalid URL ${JSON.stringify(text)}: ${EXPECTED}`)
  let rest = text.slice(7)
  let cut = rest.length
  for (const c of ["/", "?", "#"]) {
    const i = rest.indexOf(c)
    if (i >= 0 && i < cut) cut = i
  }
  let authority = rest.slice(0, cut)
  rest = rest.slice(cut)
  const at = authority.lastIndexOf("@")
  if (at >= 0) authority = authority.slice(at + 1)
  let host = authority
  let port = 80
  const colon = authority.lastIndexOf(":")
  if (colon >= 0) {
    host = authority.slice(0, colon)
    const p = tryParsePort(authority.slice(colon + 1))
    if (p === null || p === 0) throw new UrlError(`invalid URL ${JSON.stringify(text)}: port "${authority.slice(colon + 1)}" is not in 1-65535`)
    port = p
  }
  if (host === "" || !/^[A-Za-z0-9.-]+$/.test(host)) throw new UrlError(`invalid URL ${JSON.stringify(text)}: host "${host}" is not a name or an IPv4 address; ${EXPECTED}`)
  const path = rest === "" ? "/" : rest.startsWith("/") ? rest : `/${rest}`
  return { text, host, ip: tryParseIpv4(host), port, path }
}
