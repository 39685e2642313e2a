/**
 * Object metadata shared by every kind (k8s.io/apimachinery/pkg/apis/meta/v1/types.go `ObjectMeta`,
 * `OwnerReference`, `LabelSelector`). Field names are Kubernetes' own so structural types elsewhere fit.
 * Timestamps are RFC 3339 strings at second precision, as the API server serialises `metav1.Time`.
 */
export type Labels = Readonly<Record<string, string>>

export interface OwnerReference {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly uid: string
  readonly controller?: boolean
  readonly blockOwnerDeletion?: boolean
}

export interface ObjectMeta {
  readonly name: string
  readonly generateName?: string
  /** Absent only for cluster-scoped kinds (Namespace, Node). */
  readonly namespace?: string
  /** Server-set: absent until the store has the object. */
  readonly uid?: string
  readonly resourceVersion?: string
  readonly generation?: number
  readonly creationTimestamp?: string
  readonly deletionTimestamp?: string
  readonly deletionGracePeriodSeconds?: number
  readonly labels?: Labels
  readonly annotations?: Labels
  readonly ownerReferences?: ReadonlyArray<OwnerReference>
  readonly finalizers?: ReadonlyArray<string>
}

/** meta/v1 `LabelSelectorRequirement`: operator In, NotIn, Exists or DoesNotExist. */
export interface LabelSelectorRequirement {
  readonly key: string
  readonly operator: LabelSelectorOperator
  readonly values?: ReadonlyArray<string>
}

export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist"

/** meta/v1 `LabelSelector`: the requirements are ANDed; an empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels
  readonly matchExpressions?: ReadonlyArray<LabelSelectorRequirement>
}

/** "True", "False" or "Unknown" (core/v1 `ConditionStatus`). */
export type ConditionStatus = "True" | "False" | "Unknown"

/** Kubernetes' int-or-string (k8s.io/apimachinery/pkg/util/intstr): a number or a string such as "25%" or "http". */
export type IntOrString = number | string
