import { Schema } from "effect"
import { LabelSelectorWire, TypeMetaFields } from "./meta-wire"
import { PodTemplateWire } from "./pod-wire"
import { Bool, Enum, Ignored, Int32, IntOrStr, opt } from "./primitives"

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
