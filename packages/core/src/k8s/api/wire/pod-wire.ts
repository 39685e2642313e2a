import { Schema } from "effect"
import { LabelSelectorWire, ObjectMetaWire, TypeMetaFields } from "./meta-wire"
import { Bool, Enum, Ignored, Int32, Int64, IntOrStr, Str, StrList, StrMap, opt } from "./primitives"

const HTTPGetWire = Schema.Struct({
  path: opt(Str),
  port: opt(IntOrStr),
  host: opt(Str),
  scheme: opt(Enum),
  httpHeaders: opt(Schema.Array(Schema.Struct({ name: opt(Str), value: opt(Str) }))),
})
const TCPSocketWire = Schema.Struct({ port: opt(IntOrStr), host: opt(Str) })
const ExecWire = Schema.Struct({ command: opt(StrList) })

const ProbeWire = Schema.Struct({
  httpGet: opt(HTTPGetWire),
  tcpSocket: opt(TCPSocketWire),
  exec: opt(ExecWire),
  grpc: opt(Schema.Struct({ port: opt(Int32), service: opt(Str) })),
  initialDelaySeconds: opt(Int32),
  timeoutSeconds: opt(Int32),
  periodSeconds: opt(Int32),
  successThreshold: opt(Int32),
  failureThreshold: opt(Int32),
  terminationGracePeriodSeconds: opt(Int64),
})

const HandlerWire = Schema.Struct({
  exec: opt(ExecWire),
  httpGet: opt(HTTPGetWire),
  tcpSocket: opt(TCPSocketWire),
  sleep: opt(Schema.Struct({ seconds: opt(Int64) })),
})

export const ContainerWire = Schema.Struct({
  name: opt(Str),
  image: opt(Str),
  command: opt(StrList),
  args: opt(StrList),
  workingDir: opt(Str),
  ports: opt(
    Schema.Array(
      Schema.Struct({
        name: opt(Str),
        containerPort: opt(Int32),
        hostPort: opt(Int32),
        hostIP: opt(Str),
        protocol: opt(Enum),
      }),
    ),
  ),
  env: opt(Schema.Array(Schema.Struct({ name: opt(Str), value: opt(Str), valueFrom: opt(Ignored) }))),
  envFrom: opt(Ignored),
  resources: opt(Schema.Struct({ limits: opt(Schema.Record({ key: Schema.String, value: IntOrStr })), requests: opt(Schema.Record({ key: Schema.String, value: IntOrStr })) })),
  volumeMounts: opt(Ignored),
  readinessProbe: opt(ProbeWire),
  livenessProbe: opt(ProbeWire),
  startupProbe: opt(ProbeWire),
  lifecycle: opt(Schema.Struct({ postStart: opt(HandlerWire), preStop: opt(HandlerWire) })),
  imagePullPolicy: opt(Enum),
  terminationMessagePath: opt(Str),
  terminationMessagePolicy: opt(Enum),
  securityContext: opt(Ignored),
  stdin: opt(Bool),
  tty: opt(Bool),
})

export const PodSpecWire = Schema.Struct({
  containers: opt(Schema.Array(ContainerWire)),
  initContainers: opt(Schema.Array(ContainerWire)),
  restartPolicy: opt(Enum),
  terminationGracePeriodSeconds: opt(Int64),
  activeDeadlineSeconds: opt(Int64),
  dnsPolicy: opt(Enum),
  dnsConfig: opt(
    Schema.Struct({
      nameservers: opt(StrList),
      searches: opt(StrList),
      options: opt(Schema.Array(Schema.Struct({ name: opt(Str), value: opt(Str) }))),
    }),
  ),
  enableServiceLinks: opt(Bool),
  schedulerName: opt(Str),
  hostname: opt(Str),
  subdomain: opt(Str),
  setHostnameAsFQDN: opt(Bool),
  nodeName: opt(Str),
  nodeSelector: opt(StrMap),
  hostNetwork: opt(Bool),
  serviceAccountName: opt(Str),
  serviceAccount: opt(Str),
  automountServiceAccountToken: opt(Bool),
  priority: opt(Int32),
  priorityClassName: opt(Str),
  readinessGates: opt(Schema.Array(Schema.Struct({ conditionType: opt(Str) }))),
  tolerations: opt(
    Schema.Array(
      Schema.Struct({ key: opt(Str), operator: opt(Enum), value: opt(Str), effect: opt(Enum), tolerationSeconds: opt(Int64) }),
    ),
  ),
  affinity: opt(Ignored),
  volumes: opt(Ignored),
  securityContext: opt(Ignored),
  imagePullSecrets: opt(Ignored),
})

/** core/v1 Pod; status is accepted and reset, as the pod registry does on create (pkg/registry/core/pod/strategy.go `PrepareForCreate`). */
export const PodWire = Schema.Struct({ ...TypeMetaFields, spec: opt(PodSpecWire), status: opt(Ignored) })

export const PodTemplateWire = Schema.Struct({
  metadata: opt(ObjectMetaWire),
  spec: opt(PodSpecWire),
})

export type PodWire = Schema.Schema.Type<typeof PodWire>
export type PodSpecWire = Schema.Schema.Type<typeof PodSpecWire>
export type ContainerWire = Schema.Schema.Type<typeof ContainerWire>
export type PodTemplateWire = Schema.Schema.Type<typeof PodTemplateWire>
export type ProbeWire = Schema.Schema.Type<typeof ProbeWire>
export { LabelSelectorWire }
