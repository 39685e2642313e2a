import type { ConditionStatus, IntOrString, LabelSelector, ObjectMeta } from "./meta"
import type { PodTemplateSpec } from "./pod"

/** apps/v1 Deployment. Defaulted fields (defaults/workload-defaults.ts) are required here. */
export interface Deployment {
  readonly apiVersion: "apps/v1"
  readonly kind: "Deployment"
  readonly metadata: ObjectMeta
  readonly spec: DeploymentSpec
  readonly status: DeploymentStatus
}

export interface RollingUpdateDeployment {
  readonly maxUnavailable: IntOrString
  readonly maxSurge: IntOrString
}

export type DeploymentStrategy =
  | { readonly type: "RollingUpdate"; readonly rollingUpdate: RollingUpdateDeployment }
  | { readonly type: "Recreate" }

export interface DeploymentSpec {
  readonly replicas: number
  readonly selector: LabelSelector
  readonly template: PodTemplateSpec
  readonly strategy: DeploymentStrategy
  readonly minReadySeconds: number
  readonly revisionHistoryLimit: number
  readonly progressDeadlineSeconds: number
  readonly paused?: boolean
}

/** "Available", "Progressing", "ReplicaFailure" (Deployment) or "ReplicaFailure" (ReplicaSet). */
export interface WorkloadCondition {
  readonly type: string
  readonly status: ConditionStatus
  readonly lastUpdateTime?: string
  readonly lastTransitionTime?: string
  readonly reason?: string
  readonly message?: string
}

export interface DeploymentStatus {
  readonly observedGeneration?: number
  readonly replicas?: number
  readonly updatedReplicas?: number
  readonly readyReplicas?: number
  readonly availableReplicas?: number
  readonly unavailableReplicas?: number
  readonly terminatingReplicas?: number
  readonly conditions?: ReadonlyArray<WorkloadCondition>
  readonly collisionCount?: number
}

/** apps/v1 ReplicaSet. */
export interface ReplicaSet {
  readonly apiVersion: "apps/v1"
  readonly kind: "ReplicaSet"
  readonly metadata: ObjectMeta
  readonly spec: ReplicaSetSpec
  readonly status: ReplicaSetStatus
}

export interface ReplicaSetSpec {
  readonly replicas: number
  readonly minReadySeconds: number
  readonly selector: LabelSelector
  readonly template: PodTemplateSpec
}

export interface ReplicaSetStatus {
  /** Required in the API; 0 until the controller reports. */
  readonly replicas: number
  readonly fullyLabeledReplicas?: number
  readonly readyReplicas?: number
  readonly availableReplicas?: number
  readonly terminatingReplicas?: number
  readonly observedGeneration?: number
  readonly conditions?: ReadonlyArray<WorkloadCondition>
}
