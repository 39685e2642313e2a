import type { ConditionStatus, IntOrString, Labels, ObjectMeta } from "./meta"

/** core/v1 Pod. Defaulted fields (see defaults/pod-defaults.ts) are required here. */
export interface Pod {
  readonly apiVersion: "v1"
  readonly kind: "Pod"
  readonly metadata: ObjectMeta
  readonly spec: PodSpec
  readonly status: PodStatus
}

export type Protocol = "TCP" | "UDP" | "SCTP"
export type RestartPolicy = "Always" | "OnFailure" | "Never"
export type DNSPolicy = "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None"
export type PullPolicy = "Always" | "IfNotPresent" | "Never"

export interface ContainerPort {
  readonly name?: string
  readonly containerPort: number
  readonly hostPort?: number
  readonly protocol: Protocol
}

export interface EnvVar {
  readonly name: string
  readonly value?: string
}

export interface HTTPGetAction {
  readonly path: string
  readonly port: IntOrString
  readonly host?: string
  readonly scheme: "HTTP" | "HTTPS"
}

export interface TCPSocketAction {
  readonly port: IntOrString
  readonly host?: string
}

export interface ExecAction {
  readonly command?: ReadonlyArray<string>
}

/** core/v1 Probe; timing fields defaulted as `SetDefaults_Probe`. */
export interface Probe {
  readonly httpGet?: HTTPGetAction
  readonly tcpSocket?: TCPSocketAction
  readonly exec?: ExecAction
  readonly initialDelaySeconds?: number
  readonly timeoutSeconds: number
  readonly periodSeconds: number
  readonly successThreshold: number
  readonly failureThreshold: number
  readonly terminationGracePeriodSeconds?: number
}

export interface ResourceRequirements {
  readonly limits?: Readonly<Record<string, string>>
  readonly requests?: Readonly<Record<string, string>>
}

export interface LifecycleHandler {
  readonly exec?: ExecAction
  readonly httpGet?: HTTPGetAction
  readonly tcpSocket?: TCPSocketAction
  readonly sleep?: { readonly seconds: number }
}

export interface Lifecycle {
  readonly postStart?: LifecycleHandler
  readonly preStop?: LifecycleHandler
}

export interface Container {
  readonly name: string
  readonly image: string
  readonly command?: ReadonlyArray<string>
  readonly args?: ReadonlyArray<string>
  readonly workingDir?: string
  readonly ports?: ReadonlyArray<ContainerPort>
  readonly env?: ReadonlyArray<EnvVar>
  readonly resources?: ResourceRequirements
  readonly readinessProbe?: Probe
  readonly livenessProbe?: Probe
  readonly startupProbe?: Probe
  readonly lifecycle?: Lifecycle
  readonly imagePullPolicy: PullPolicy
  readonly terminationMessagePath: string
  readonly terminationMessagePolicy: "File" | "FallbackToLogsOnError"
}

export interface PodDNSConfigOption {
  readonly name: string
  readonly value?: string
}

export interface PodDNSConfig {
  readonly nameservers?: ReadonlyArray<string>
  readonly searches?: ReadonlyArray<string>
  readonly options?: ReadonlyArray<PodDNSConfigOption>
}

export interface PodReadinessGate {
  readonly conditionType: string
}

export interface Toleration {
  readonly key?: string
  readonly operator?: "Exists" | "Equal"
  readonly value?: string
  readonly effect?: string
  readonly tolerationSeconds?: number
}

export interface PodSpec {
  readonly containers: ReadonlyArray<Container>
  readonly initContainers?: ReadonlyArray<Container>
  readonly restartPolicy: RestartPolicy
  readonly terminationGracePeriodSeconds: number
  readonly dnsPolicy: DNSPolicy
  readonly dnsConfig?: PodDNSConfig
  readonly enableServiceLinks: boolean
  readonly schedulerName: string
  readonly hostname?: string
  readonly subdomain?: string
  readonly setHostnameAsFQDN?: boolean
  readonly nodeName?: string
  readonly nodeSelector?: Labels
  readonly hostNetwork?: boolean
  readonly serviceAccountName?: string
  readonly priority?: number
  readonly readinessGates?: ReadonlyArray<PodReadinessGate>
  readonly tolerations?: ReadonlyArray<Toleration>
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown"

/** "PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers", or a readiness gate. */
export interface PodCondition {
  readonly type: string
  readonly status: ConditionStatus
  readonly lastProbeTime?: string
  readonly lastTransitionTime?: string
  readonly reason?: string
  readonly message?: string
}

export interface ContainerStateWaiting {
  readonly reason?: string
  readonly message?: string
}

export interface ContainerStateRunning {
  readonly startedAt?: string
}

export interface ContainerStateTerminated {
  readonly exitCode: number
  readonly signal?: number
  readonly reason?: string
  readonly message?: string
  readonly startedAt?: string
  readonly finishedAt?: string
}

/** At most one member is set. */
export interface ContainerState {
  readonly waiting?: ContainerStateWaiting
  readonly running?: ContainerStateRunning
  readonly terminated?: ContainerStateTerminated
}

export interface ContainerStatus {
  readonly name: string
  readonly state?: ContainerState
  readonly lastState?: ContainerState
  readonly ready: boolean
  readonly restartCount: number
  readonly image: string
  readonly imageID?: string
  readonly containerID?: string
  readonly started?: boolean
}

export interface PodIP {
  readonly ip: string
}

export interface PodStatus {
  readonly phase?: PodPhase
  readonly conditions?: ReadonlyArray<PodCondition>
  readonly message?: string
  readonly reason?: string
  readonly nominatedNodeName?: string
  readonly hostIP?: string
  readonly hostIPs?: ReadonlyArray<PodIP>
  readonly podIP?: string
  readonly podIPs?: ReadonlyArray<PodIP>
  readonly startTime?: string
  readonly initContainerStatuses?: ReadonlyArray<ContainerStatus>
  readonly containerStatuses?: ReadonlyArray<ContainerStatus>
  readonly qosClass?: string
}

/** core/v1 PodTemplateSpec: the pod a Deployment or ReplicaSet stamps out. */
export interface PodTemplateSpec {
  readonly metadata: PodTemplateMeta
  readonly spec: PodSpec
}

/** A template's metadata: labels and annotations only matter; name and namespace come from the owner. */
export interface PodTemplateMeta {
  readonly name?: string
  readonly labels?: Labels
  readonly annotations?: Labels
}
