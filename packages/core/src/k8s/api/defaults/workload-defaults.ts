import type { Deployment, DeploymentStrategy, ReplicaSet } from "../workloads"
import type { DaemonSetWire, DeploymentWire, ReplicaSetWire, StatefulSetWire } from "../wire/workload-wire"
import type { DaemonSet, DaemonSetUpdateStrategy, StatefulSet, StatefulSetUpdateStrategy } from "../stateful-daemon"
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

/**
 * pkg/apis/apps/v1/defaults.go `SetDefaults_StatefulSet`: podManagementPolicy OrderedReady, updateStrategy
 * RollingUpdate with partition 0, replicas 1, revisionHistoryLimit 10; ordinals.start 0.
 */
export const defaultStatefulSet = (w: StatefulSetWire, namespace: string): StatefulSet => {
  const s = w.spec
  const type = s?.updateStrategy?.type ?? "RollingUpdate"
  const ru = s?.updateStrategy?.rollingUpdate
  const updateStrategy: StatefulSetUpdateStrategy =
    type === "RollingUpdate"
      ? { type, rollingUpdate: { partition: ru?.partition ?? 0, ...(ru?.maxUnavailable !== undefined ? { maxUnavailable: ru.maxUnavailable } : {}) } }
      : ({ type } as StatefulSetUpdateStrategy)
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: defaultObjectMeta(w.metadata, namespace),
    spec: {
      replicas: s?.replicas ?? 1,
      selector: defaultLabelSelector(s?.selector) ?? {},
      template: defaultPodTemplate(s?.template),
      serviceName: s?.serviceName ?? "",
      podManagementPolicy: (s?.podManagementPolicy ?? "OrderedReady") as StatefulSet["spec"]["podManagementPolicy"],
      updateStrategy,
      revisionHistoryLimit: s?.revisionHistoryLimit ?? 10,
      minReadySeconds: s?.minReadySeconds ?? 0,
      ordinalsStart: s?.ordinals?.start ?? 0,
    },
    status: { replicas: 0 },
  }
}

/**
 * pkg/apis/apps/v1/defaults.go `SetDefaults_DaemonSet`: updateStrategy RollingUpdate with maxUnavailable 1 and
 * maxSurge 0, revisionHistoryLimit 10.
 */
export const defaultDaemonSet = (w: DaemonSetWire, namespace: string): DaemonSet => {
  const s = w.spec
  const type = s?.updateStrategy?.type ?? "RollingUpdate"
  const ru = s?.updateStrategy?.rollingUpdate
  const updateStrategy: DaemonSetUpdateStrategy =
    type === "RollingUpdate" ? { type, rollingUpdate: { maxUnavailable: ru?.maxUnavailable ?? 1, maxSurge: ru?.maxSurge ?? 0 } } : ({ type } as DaemonSetUpdateStrategy)
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: defaultObjectMeta(w.metadata, namespace),
    spec: {
      selector: defaultLabelSelector(s?.selector) ?? {},
      template: defaultPodTemplate(s?.template),
      updateStrategy,
      minReadySeconds: s?.minReadySeconds ?? 0,
      revisionHistoryLimit: s?.revisionHistoryLimit ?? 10,
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  }
}
