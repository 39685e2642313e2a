import type { IntOrString, LabelSelector, ObjectMeta } from "./meta"
import type { PodTemplateSpec } from "./pod"
import type { WorkloadCondition } from "./workloads"

/** apps/v1 StatefulSet. Defaulted fields (defaults/workload-defaults.ts) are required here. */
export interface StatefulSet {
  readonly apiVersion: "apps/v1"
  readonly kind: "StatefulSet"
  readonly metadata: ObjectMeta
  readonly spec: StatefulSetSpec
  readonly status: StatefulSetStatus
}

export type StatefulSetUpdateStrategy =
  | { readonly type: "RollingUpdate"; readonly rollingUpdate: { readonly partition: number; readonly maxUnavailable?: IntOrString } }
  | { readonly type: "OnDelete" }

export interface StatefulSetSpec {
  readonly replicas: number
  readonly selector: LabelSelector
  readonly template: PodTemplateSpec
  /** The headless Service giving each pod its DNS name `<pod>.<serviceName>.<ns>.svc.<zone>` (the pods' subdomain). */
  readonly serviceName: string
  readonly podManagementPolicy: "OrderedReady" | "Parallel"
  readonly updateStrategy: StatefulSetUpdateStrategy
  readonly revisionHistoryLimit: number
  readonly minReadySeconds: number
  /** spec.ordinals.start: the first pod's ordinal. */
  readonly ordinalsStart: number
}

export interface StatefulSetStatus {
  readonly observedGeneration?: number
  readonly replicas: number
  readonly readyReplicas?: number
  readonly currentReplicas?: number
  readonly updatedReplicas?: number
  readonly availableReplicas?: number
  readonly currentRevision?: string
  readonly updateRevision?: string
  readonly collisionCount?: number
  readonly conditions?: ReadonlyArray<WorkloadCondition>
}

/** apps/v1 DaemonSet. */
export interface DaemonSet {
  readonly apiVersion: "apps/v1"
  readonly kind: "DaemonSet"
  readonly metadata: ObjectMeta
  readonly spec: DaemonSetSpec
  readonly status: DaemonSetStatus
}

export type DaemonSetUpdateStrategy =
  | { readonly type: "RollingUpdate"; readonly rollingUpdate: { readonly maxUnavailable: IntOrString; readonly maxSurge: IntOrString } }
  | { readonly type: "OnDelete" }

export interface DaemonSetSpec {
  readonly selector: LabelSelector
  readonly template: PodTemplateSpec
  readonly updateStrategy: DaemonSetUpdateStrategy
  readonly minReadySeconds: number
  readonly revisionHistoryLimit: number
}

export interface DaemonSetStatus {
  readonly currentNumberScheduled: number
  readonly numberMisscheduled: number
  readonly desiredNumberScheduled: number
  readonly numberReady: number
  readonly observedGeneration?: number
  readonly updatedNumberScheduled?: number
  readonly numberAvailable?: number
  readonly numberUnavailable?: number
  readonly collisionCount?: number
  readonly conditions?: ReadonlyArray<WorkloadCondition>
}
