import { Schema } from "effect"
import { LabelSelectorWire, TypeMetaFields } from "./meta-wire"
import { PodTemplateWire } from "./pod-wire"
import { Bool, Enum, Ignored, Int32, IntOrStr, Str, opt } from "./primitives"

export const DeploymentSpecWire = Schema.Struct({
  replicas: opt(Int32),
  selector: opt(LabelSelectorWire),
  template: opt(PodTemplateWire),
  strategy: opt(
    Schema.Struct({
      type: opt(Enum),
      rollingUpdate: opt(Schema.Struct({ maxUnavailable: opt(IntOrStr), maxSurge: opt(IntOrStr) })),
    }),
  ),
  minReadySeconds: opt(Int32),
  revisionHistoryLimit: opt(Int32),
  progressDeadlineSeconds: opt(Int32),
  paused: opt(Bool),
})

export const DeploymentWire = Schema.Struct({ ...TypeMetaFields, spec: opt(DeploymentSpecWire), status: opt(Ignored) })

export const ReplicaSetSpecWire = Schema.Struct({
  replicas: opt(Int32),
  minReadySeconds: opt(Int32),
  selector: opt(LabelSelectorWire),
  template: opt(PodTemplateWire),
})

export const ReplicaSetWire = Schema.Struct({ ...TypeMetaFields, spec: opt(ReplicaSetSpecWire), status: opt(Ignored) })

export type DeploymentWire = Schema.Schema.Type<typeof DeploymentWire>
export type ReplicaSetWire = Schema.Schema.Type<typeof ReplicaSetWire>

export const StatefulSetSpecWire = Schema.Struct({
  replicas: opt(Int32),
  selector: opt(LabelSelectorWire),
  template: opt(PodTemplateWire),
  serviceName: opt(Str),
  podManagementPolicy: opt(Enum),
  updateStrategy: opt(Schema.Struct({ type: opt(Enum), rollingUpdate: opt(Schema.Struct({ partition: opt(Int32), maxUnavailable: opt(IntOrStr) })) })),
  revisionHistoryLimit: opt(Int32),
  minReadySeconds: opt(Int32),
  ordinals: opt(Schema.Struct({ start: opt(Int32) })),
  // Accepted and ignored: kubesim has no volumes (README approximations).
  volumeClaimTemplates: opt(Ignored),
  persistentVolumeClaimRetentionPolicy: opt(Ignored),
})

export const StatefulSetWire = Schema.Struct({ ...TypeMetaFields, spec: opt(StatefulSetSpecWire), status: opt(Ignored) })

export const DaemonSetSpecWire = Schema.Struct({
  selector: opt(LabelSelectorWire),
  template: opt(PodTemplateWire),
  updateStrategy: opt(Schema.Struct({ type: opt(Enum), rollingUpdate: opt(Schema.Struct({ maxUnavailable: opt(IntOrStr), maxSurge: opt(IntOrStr) })) })),
  minReadySeconds: opt(Int32),
  revisionHistoryLimit: opt(Int32),
})

export const DaemonSetWire = Schema.Struct({ ...TypeMetaFields, spec: opt(DaemonSetSpecWire), status: opt(Ignored) })

export type StatefulSetWire = Schema.Schema.Type<typeof StatefulSetWire>
export type DaemonSetWire = Schema.Schema.Type<typeof DaemonSetWire>
