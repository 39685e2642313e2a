import type { Nanos } from "@kubesim/core"
import type { LabelMap } from "../format/schema"

/**
 * What churn and the `actions` list become: one operation on the cluster at one time. `source` names where it
 * came from (`actions[3]`, `churn[0]`) for the `action` record's detail and for errors.
 */
export type TimedOperation =
  | { readonly op: "kill"; readonly selector: LabelMap; readonly namespace: string; readonly count: number; readonly gracePeriodSeconds?: number }
  | { readonly op: "kill-pod"; readonly pod: string; readonly namespace: string; readonly gracePeriodSeconds?: number }
  | { readonly op: "rollout"; readonly deployment: string; readonly namespace: string; readonly image?: string }
  | { readonly op: "scale"; readonly deployment: string; readonly namespace: string; readonly replicas: number }
  | { readonly op: "fail-node"; readonly node: string }
  | { readonly op: "recover-node"; readonly node: string }
  | { readonly op: "set-readiness"; readonly selector?: LabelMap; readonly pod?: string; readonly namespace: string; readonly ready: boolean }
  | { readonly op: "fail-liveness"; readonly selector: LabelMap; readonly namespace: string }

export interface TimedAction {
  readonly at: Nanos
  readonly source: string
  readonly operation: TimedOperation
}
