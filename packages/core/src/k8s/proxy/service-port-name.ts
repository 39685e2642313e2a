import { servicePortName } from "../../records/index"
import type { Protocol } from "./api-view"

/**
 * A service port's identity, as pkg/proxy/types.go `ServicePortName`: namespace, name, port name and protocol.
 * `String()` upstream omits the protocol (`ns/name:port`, or `ns/name` for an unnamed port); maps are keyed by
 * the whole struct, so `key` adds it.
 */
export interface ServicePortName {
  readonly namespace: string
  readonly name: string
  readonly port: string
  readonly protocol: Protocol
  /** pkg/proxy/types.go ServicePortName.String(): `ns/name:port`, without `:port` when the port is unnamed. */
  readonly text: string
  /** Map key: text plus protocol (distinct for a TCP and a UDP port of the same name). */
  readonly key: string
}

/** The namespaced name `ns/name`, upstream's types.NamespacedName.String(). */
export type NamespacedName = string

export const namespacedName = (namespace: string, name: string): NamespacedName => `${namespace}/${name}`

export const makeServicePortName = (namespace: string, name: string, port: string, protocol: Protocol): ServicePortName => {
  const text = servicePortName(namespace, name, port)
  return { namespace, name, port, protocol, text, key: `${text}/${protocol}` }
}
