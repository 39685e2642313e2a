export type { Labels, ObjectMeta, OwnerReference, LabelSelector, LabelSelectorRequirement, LabelSelectorOperator, ConditionStatus, IntOrString } from "./meta"
export type { Namespace, NamespaceSpec, NamespaceStatus } from "./namespace"
export type { Node, NodeSpec, NodeStatus, NodeAddress, NodeAddressType, NodeCondition, Taint, TaintEffect } from "./node"
export type {
  Pod,
  PodSpec,
  PodStatus,
  PodPhase,
  PodCondition,
  PodIP,
  PodTemplateSpec,
  PodTemplateMeta,
  PodDNSConfig,
  PodDNSConfigOption,
  PodReadinessGate,
  Container,
  ContainerPort,
  ContainerStatus,
  ContainerState,
  ContainerStateRunning,
  ContainerStateTerminated,
  ContainerStateWaiting,
  EnvVar,
  Probe,
  HTTPGetAction,
  TCPSocketAction,
  ExecAction,
  Lifecycle,
  LifecycleHandler,
  ResourceRequirements,
  Toleration,
  Protocol,
  RestartPolicy,
  DNSPolicy,
  PullPolicy,
} from "./pod"
export type {
  Service,
  ServiceSpec,
  ServiceStatus,
  ServicePort,
  ServiceType,
  ServiceAffinity,
  ServiceTrafficPolicy,
  SessionAffinityConfig,
  ClientIPConfig,
  IPFamily,
  IPFamilyPolicy,
  LoadBalancerIngress,
  PortStatus,
  ServiceCondition,
} from "./service"
export type { EndpointSlice, Endpoint, EndpointConditions, EndpointPort, EndpointAddressType, EndpointHints, ForZone, ForNode, ObjectReference } from "./endpoint-slice"
export { LABEL_SERVICE_NAME, LABEL_MANAGED_BY } from "./endpoint-slice"
export type {
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  RollingUpdateDeployment,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  WorkloadCondition,
} from "./workloads"
export type { StatefulSet, StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy, DaemonSet, DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy } from "./stateful-daemon"
export type { ConfigMap, Secret, ServiceAccount } from "./config"
export { type KubeObject, type Kind, type ObjectOfKind, type KindInfo, KINDS, kindInfo, infoOf, DEFAULT_NAMESPACE, generationSubject } from "./kinds"
export { matchesLabels, labelSelectorMatches, isEmptySelector, formatLabelSelector } from "./selector"
export { deepEqual } from "./deep-equal"
export { KUBESIM_EPOCH, timestampAt, nanosOfTimestamp } from "./timestamp"
export { defaultPod, defaultPodSpec, defaultPodTemplate, defaultPullPolicy, podQosClass, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, DEFAULT_SCHEDULER_NAME } from "./defaults/pod-defaults"
export { defaultService, DEFAULT_CLIENT_IP_AFFINITY_SECONDS } from "./defaults/service-defaults"
export { defaultDeployment, defaultReplicaSet, defaultStatefulSet, defaultDaemonSet } from "./defaults/workload-defaults"
export { defaultConfigMap, defaultSecret, defaultServiceAccount } from "./defaults/config-defaults"
export { defaultNamespace, defaultNode, defaultEndpointSlice } from "./defaults/cluster-defaults"
export { type FieldError, type FieldErrorType, GoSyntax, formatFieldError, goLabelSelector, goStringMap, goStringSlice, renderValue } from "./validation/field-error"
export { type ValidationOptions, validateObject } from "./validation/validate-object"
export { validateUpdate } from "./validation/update-validation"
export { type NodePortRange, DEFAULT_NODE_PORT_RANGE, MAX_CLIENT_IP_AFFINITY_SECONDS } from "./validation/service-validation"
export * as names from "./validation/names"
export { type DecodeObjectOptions, type DecodedObject, type ObjectProblem, decodeObject } from "./decode/decode-object"
export { type DecodedManifest, type DecodeManifestsOptions, type DecodeManifestsResult, decodeManifests } from "./decode/decode-manifests"
export { describeAst, describeValue, fieldPathText } from "./decode/schema-issues"
export { type ManifestIssue, type ManifestIssueReason, formatManifestIssues } from "./decode/manifest-issue"
