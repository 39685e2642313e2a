import type { ConditionStatus, ObjectMeta } from "./meta"

/** core/v1 Node (cluster-scoped). */
export interface Node {
  readonly apiVersion: "v1"
  readonly kind: "Node"
  readonly metadata: ObjectMeta
  readonly spec: NodeSpec
  readonly status: NodeStatus
}

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute"

export interface Taint {
  readonly key: string
  readonly value?: string
  readonly effect: TaintEffect
}

export interface NodeSpec {
  readonly podCIDR?: string
  readonly podCIDRs?: ReadonlyArray<string>
  readonly providerID?: string
  readonly unschedulable?: boolean
  readonly taints?: ReadonlyArray<Taint>
}

export type NodeAddressType = "Hostname" | "InternalIP" | "ExternalIP" | "InternalDNS" | "ExternalDNS"

export interface NodeAddress {
  readonly type: NodeAddressType
  readonly address: string
}

/** "Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable". */
export interface NodeCondition {
  readonly type: string
  readonly status: ConditionStatus
  readonly lastHeartbeatTime?: string
  readonly lastTransitionTime?: string
  readonly reason?: string
  readonly message?: string
}

export interface NodeStatus {
  readonly addresses?: ReadonlyArray<NodeAddress>
  readonly conditions?: ReadonlyArray<NodeCondition>
  readonly capacity?: Readonly<Record<string, string>>
  readonly allocatable?: Readonly<Record<string, string>>
}
