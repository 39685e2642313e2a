import type { EndpointSlice } from "./endpoint-slice"
import type { Namespace } from "./namespace"
import type { Node } from "./node"
import type { Pod } from "./pod"
import type { Service } from "./service"
import type { Deployment, ReplicaSet } from "./workloads"
import type { DaemonSet, StatefulSet } from "./stateful-daemon"
import type { ConfigMap, Secret, ServiceAccount } from "./config"

/** Every kind kubesim understands, as decoded (defaulted) objects. */
export type KubeObject =
  | Namespace
  | Node
  | Pod
  | Service
  | EndpointSlice
  | Deployment
  | ReplicaSet
  | StatefulSet
  | DaemonSet
  | ConfigMap
  | Secret
  | ServiceAccount

export type Kind = KubeObject["kind"]

/** The object of kind K. */
export type ObjectOfKind<K extends Kind> = Extract<KubeObject, { kind: K }>

export interface KindInfo {
  readonly kind: Kind
  readonly apiVersion: string
  /** Lower-case plural, as in URLs and `kubectl get`. */
  readonly resource: string
  /** kubectl's `<resource>.<group>` prefix in `kubectl get all` names and apply messages ("deployment.apps"). */
  readonly qualified: string
  readonly namespaced: boolean
}

/** One entry per kind; the first ones in the order `kubectl get all` prints sections (pods, services, deployments, replicasets). */
export const KINDS: ReadonlyArray<KindInfo> = [
  { kind: "Pod", apiVersion: "v1", resource: "pods", qualified: "pod", namespaced: true },
  { kind: "Service", apiVersion: "v1", resource: "services", qualified: "service", namespaced: true },
  { kind: "Deployment", apiVersion: "apps/v1", resource: "deployments", qualified: "deployment.apps", namespaced: true },
  { kind: "ReplicaSet", apiVersion: "apps/v1", resource: "replicasets", qualified: "replicaset.apps", namespaced: true },
  { kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1", resource: "endpointslices", qualified: "endpointslice.discovery.k8s.io", namespaced: true },
  { kind: "Namespace", apiVersion: "v1", resource: "namespaces", qualified: "namespace", namespaced: false },
  { kind: "Node", apiVersion: "v1", resource: "nodes", qualified: "node", namespaced: false },
  { kind: "StatefulSet", apiVersion: "apps/v1", resource: "statefulsets", qualified: "statefulset.apps", namespaced: true },
  { kind: "DaemonSet", apiVersion: "apps/v1", resource: "daemonsets", qualified: "daemonset.apps", namespaced: true },
  { kind: "ConfigMap", apiVersion: "v1", resource: "configmaps", qualified: "configmap", namespaced: true },
  { kind: "Secret", apiVersion: "v1", resource: "secrets", qualified: "secret", namespaced: true },
  { kind: "ServiceAccount", apiVersion: "v1", resource: "serviceaccounts", qualified: "serviceaccount", namespaced: true },
]

const byKind = new Map<string, KindInfo>(KINDS.map((k) => [k.kind, k]))

/** The KindInfo of a known kind; undefined for an unknown name. */
export const kindInfo = (kind: string): KindInfo | undefined => byKind.get(kind)

/** The KindInfo of a kind that is known by type. */
export const infoOf = (kind: Kind): KindInfo => byKind.get(kind) as KindInfo

/** The namespace every namespaced object without one lands in (`metav1.NamespaceDefault`). */
export const DEFAULT_NAMESPACE = "default"

/**
 * The part of an object whose changes bump metadata.generation: `spec`, and for EndpointSlice (which has
 * none) its addressType, endpoints and ports (pkg/registry/discovery/endpointslice/strategy.go `PrepareForUpdate`).
 * ConfigMap, Secret and ServiceAccount have no spec and keep generation 1.
 */
export const generationSubject = (obj: KubeObject): unknown =>
  obj.kind === "EndpointSlice" ? [obj.addressType, obj.endpoints, obj.ports] : "spec" in obj ? obj.spec : undefined
