import type { Deployment, DeploymentStrategy, ReplicaSet } from "../workloads"
import type { DeploymentWire, ReplicaSetWire } from "../wire/workload-wire"
import { defaultLabelSelector, defaultObjectMeta } from "./meta-defaults"
import { defaultPodTemplate } from "./pod-defaults"

/**
 * pkg/apis/apps/v1/defaults.go `SetDefaults_Deployment`: replicas 1, strategy RollingUpdate with maxUnavailable
 * and maxSurge 25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. A missing selector stays empty and is
 * rejected by validation (apps/v1 does not default it from the template).
 */
export const defaultDeployment = (w: DeploymentWire, namespace: string): Deployment => {
  const s = w.spec
  const type = s?.strategy?.type ?? "RollingUpdate"
  const strategy: DeploymentStrategy =
    type === "RollingUpdate"
      ? {
          type: "RollingUpdate",
          rollingUpdate: {
            maxUnavailable: s?.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
            maxSurge: s?.strategy?.rollingUpdate?.maxSurge ?? "25%",
          },
        }
      : ({ type } as DeploymentStrategy)
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: defaultObjectMeta(w.metadata, namespace),
    spec: {
      replicas: s?.replicas ?? 1,
      selector: defaultLabelSelector(s?.selector) ?? {},
      template: defaultPodTemplate(s?.template),
      strategy,
      minReadySeconds: s?.minReadySeconds ?? 0,
      revisionHistoryLimit: s?.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: s?.progressDeadlineSeconds ?? 600,
      ...(s?.paused !== undefined ? { paused: s.paused } : {}),
    },
    status: {},
  }
}

/** pkg/apis/apps/v1/defaults.go `SetDefaults_ReplicaSet`: replicas 1. */
export const defaultReplicaSet = (w: ReplicaSetWire, namespace: string): ReplicaSet => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: defaultObjectMeta(w.metadata, namespace),
  spec: {
    replicas: w.spec?.replicas ?? 1,
    minReadySeconds: w.spec?.minReadySeconds ?? 0,
    selector: defaultLabelSelector(w.spec?.selector) ?? {},
    template: defaultPodTemplate(w.spec?.template),
  },
  status: { replicas: 0 },
})
