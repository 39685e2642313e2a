/**
 * What the cluster layer tells a client about where its requests went, so apps stay free of Kubernetes types.
 * Every method is optional; an absent one leaves the field null.
 */
export interface RequestTarget {
  /** The URL's host as written (`web-service`). */
  readonly host: string
  /** The address the client connected to, dotted quad. */
  readonly ip: string
  readonly port: number
}

export interface ConnectionTuple {
  readonly srcIp: string
  readonly srcPort: number
  readonly dstIp: string
  readonly dstPort: number
}

export interface RequestLabeller {
  /** The service port (`default/web-service:`) a destination belongs to, if it is one. */
  service?(target: RequestTarget): string | null
  /** The node whose netfilter chose the backend (the client's node for ClusterIP traffic). */
  node?(target: RequestTarget): string | null
  /** For a request that got no response: the backend `ip:port` netfilter chose for this connection, if known. */
  chosenEndpoint?(conn: ConnectionTuple): string | null
  /** The pod name behind a backend `ip:port`, when the response body does not tell (it always does for HttpServer). */
  podOf?(endpoint: string): string | null
}
