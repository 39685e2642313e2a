/**
 * HTTP/1.1 exchanges as the simulated TCP carries them: one application message per request and per
 * response, with the byte sizes of the real text on the wire (headers included).
 */

/** A GET as a client sends it. `stream` tells concurrent requests on one connection apart (HTTP/2 stream id). */
export interface HttpRequest {
  readonly kind: "http-request"
  readonly stream: number
  readonly host: string
  readonly path: string
  /** `Connection: close` when false: the server closes after answering (busybox wget always sends it). */
  readonly keepAlive: boolean
}

/** The server's answer; the server stamps what it saw so the client can write the `request` record. */
export interface HttpResponse {
  readonly kind: "http-response"
  readonly stream: number
  readonly status: number
  /** The index page: the serving pod's hostname (the seed replaced nginx's index.html with it). */
  readonly body: string
  /** `ip:port` of the server's own socket: the backend that answered. */
  readonly endpoint: string
  /** The client address the server saw (after any SNAT/MASQUERADE on the way). */
  readonly sourceIp: string
  /** `Connection: close`: the server closes the connection after this response. */
  readonly close: boolean
}

/**
 * Bytes of the request line and headers busybox wget sends (networking/wget.c download_one_url:
 * `GET /path HTTP/1.1`, Host, User-Agent: Wget, Connection: close, blank line).
 */
export const requestBytes = (r: HttpRequest): number =>
  `GET ${r.path} HTTP/1.1\r\nHost: ${r.host}\r\nUser-Agent: Wget\r\n${r.keepAlive ? "" : "Connection: close\r\n"}\r\n`.length

/**
 * Bytes of an nginx static-file response: status line and nginx's headers for a file (Server, Date,
 * Content-Type, Content-Length, Last-Modified, Connection, ETag, Accept-Ranges: about 230 bytes for a
 * small page), plus the body.
 */
export const responseBytes = (r: HttpResponse): number => 230 + r.body.length

export const isHttpRequest = (m: unknown): m is HttpRequest =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "http-request"
export const isHttpResponse = (m: unknown): m is HttpResponse =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "http-response"
