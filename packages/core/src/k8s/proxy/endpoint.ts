import { joinHostPort } from "./ip"

/**
 * One backend of one service port (pkg/proxy/endpoint.go BaseEndpointInfo), node-independent: whether it is
 * local depends on the node looking at it, so it is asked with `isLocalTo(ep, nodeName)` instead of stored.
 * That lets every node's proxier share the same records.
 */
export interface Endpoint {
  readonly ip: string
  readonly port: number
  /** endpoint.go String(): net.JoinHostPort(ip, port), e.g. `10.180.0.1:80`. */
  readonly text: string
  readonly nodeName: string
  readonly zone: string
  /** Zones from hints.forZones, or undefined when the endpoint carries no zone hints. */
  readonly zoneHints: ReadonlySet<string> | undefined
  /** Nodes from hints.forNodes (trafficDistribution PreferSameNode), or undefined when there are none. */
  readonly nodeHints?: ReadonlySet<string> | undefined
  /** discovery/v1 conditions with upstream's nil handling (endpointslicecache.go newEndpointSliceInfo). */
  readonly ready: boolean
  readonly serving: boolean
  readonly terminating: boolean
}

export const makeEndpoint = (
  ip: string,
  port: number,
  nodeName: string,
  zone: string,
  zoneHints: ReadonlySet<string> | undefined,
  ready: boolean,
  serving: boolean,
  terminating: boolean,
  nodeHints?: ReadonlySet<string>,
): Endpoint => ({ ip, port, text: joinHostPort(ip, port), nodeName, zone, zoneHints, ...(nodeHints !== undefined ? { nodeHints } : {}), ready, serving, terminating })

/** endpointslicecache.go isLocal: the endpoint's nodeName is this (non-empty) node's name. */
export const isLocalTo = (ep: Endpoint, nodeName: string): boolean => nodeName !== "" && ep.nodeName === nodeName

/** endpointslicecache.go byEndpoint: endpoints sort by their `ip:port` string, byte-wise. */
export const compareEndpoints = (a: Endpoint, b: Endpoint): number => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
