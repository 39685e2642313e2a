import type { EndpointAddressType, EndpointSlice } from "../endpoint-slice"
import type { Namespace } from "../namespace"
import type { Node, NodeAddressType, TaintEffect } from "../node"
import type { Protocol } from "../pod"
import type { EndpointSliceWire } from "../wire/endpoint-slice-wire"
import type { NamespaceWire, NodeWire } from "../wire/cluster-wire"
import { defaultObjectMeta, defined } from "./meta-defaults"

/**
 * Namespace: spec.finalizers ["kubernetes"] (pkg/registry/core/namespace/strategy.go `PrepareForCreate`) and
 * status.phase Active (pkg/apis/core/v1/defaults.go `SetDefaults_NamespaceStatus`).
 */
export const defaultNamespace = (w: NamespaceWire): Namespace => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: defaultObjectMeta(w.metadata, undefined),
  spec: { finalizers: ["kubernetes"] },
  status: { phase: "Active" },
})

const quantities = (m: Readonly<Record<string, number | string>> | undefined) =>
  m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]))

/** Node: allocatable defaults to capacity (pkg/apis/core/v1/defaults.go `SetDefaults_NodeStatus`). */
export const defaultNode = (w: NodeWire): Node => {
  const capacity = quantities(w.status?.capacity)
  const podCIDR = w.spec?.podCIDR ?? w.spec?.podCIDRs?.[0]
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: defaultObjectMeta(w.metadata, undefined),
    spec: defined({
      podCIDR,
      podCIDRs: w.spec?.podCIDRs ?? (podCIDR !== undefined ? [podCIDR] : undefined),
      providerID: w.spec?.providerID,
      unschedulable: w.spec?.unschedulable,
      taints: w.spec?.taints?.map((t) => defined({ key: t.key ?? "", value: t.value, effect: (t.effect ?? "") as TaintEffect })),
    }),
    status: defined({
      addresses: w.status?.addresses?.map((a) => ({ type: (a.type ?? "") as NodeAddressType, address: a.address ?? "" })),
      capacity,
      allocatable: quantities(w.status?.allocatable) ?? capacity,
    }),
  }
}

/** EndpointSlice: ports get name "" and protocol TCP (pkg/apis/discovery/v1/defaults.go `SetDefaults_EndpointPort`). */
export const defaultEndpointSlice = (w: EndpointSliceWire, namespace: string): EndpointSlice =>
  defined({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: defaultObjectMeta(w.metadata, namespace),
    addressType: (w.addressType ?? "") as EndpointAddressType,
    endpoints: (w.endpoints ?? []).map((e) =>
      defined({
        addresses: e.addresses ?? [],
        conditions: defined({ ready: e.conditions?.ready, serving: e.conditions?.serving, terminating: e.conditions?.terminating }),
        hostname: e.hostname,
        targetRef: e.targetRef === undefined ? undefined : defined({ ...e.targetRef, apiVersion: undefined }),
        nodeName: e.nodeName,
        zone: e.zone,
        hints:
          e.hints === undefined
            ? undefined
            : defined({ forZones: e.hints.forZones?.map((z) => ({ name: z.name ?? "" })), forNodes: e.hints.forNodes?.map((n) => ({ name: n.name ?? "" })) }),
      }),
    ),
    ports: w.ports?.map((p) => defined({ name: p.name ?? "", protocol: (p.protocol ?? "TCP") as Protocol, port: p.port, appProtocol: p.appProtocol })),
  }) as EndpointSlice
