import type { ObjectMeta } from "./meta"

/** core/v1 Namespace (cluster-scoped). */
export interface Namespace {
  readonly apiVersion: "v1"
  readonly kind: "Namespace"
  readonly metadata: ObjectMeta
  readonly spec: NamespaceSpec
  readonly status: NamespaceStatus
}

export interface NamespaceSpec {
  readonly finalizers?: ReadonlyArray<string>
}

export interface NamespaceStatus {
  /** "Active" or "Terminating"; defaulted to Active (pkg/apis/core/v1/defaults.go `SetDefaults_NamespaceStatus`). */
  readonly phase: "Active" | "Terminating"
}
