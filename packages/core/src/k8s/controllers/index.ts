export { type ControllerDelay, fixedDelay, uniformDelay, drawDelay } from "./util/delay"
export { WorkQueue } from "./util/work-queue"
export { ControllerLoop, Informers, DEFAULT_SYNC_DELAY } from "./util/controller-loop"
export { ALPHANUMS, randomString, generateName, safeEncodeString } from "./util/names"
export { computeHash, fnv32a } from "./util/template-hash"
export { scaledValue, resolveFenceposts } from "./util/int-or-percent"
export { isPodReady, isPodAvailable, isPodActive } from "./util/pods"
export { parseQuantity, milliCpu, wholeUnits, QuantityError } from "../api/quantity"
export { ReplicaSetController, type ReplicaSetControllerConfig } from "./replicaset/replicaset-controller"
export { podsToDelete, compareForDeletion, POD_DELETION_COST } from "./replicaset/pods-to-delete"
export { DeploymentController, type DeploymentControllerConfig } from "./deployment/deployment-controller"
export { StatefulSetController, type StatefulSetControllerConfig, STATEFULSET_POD_NAME_LABEL, POD_INDEX_LABEL, CONTROLLER_REVISION_HASH_LABEL } from "./statefulset/statefulset-controller"
export { DaemonSetController, type DaemonSetControllerConfig, nodeShouldRunDaemonPod } from "./daemonset/daemonset-controller"
export {
  REVISION_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
} from "./deployment/deployment-util"
export { Scheduler, type SchedulerConfig, type BindPod } from "./scheduler/scheduler"
export { tolerates } from "./scheduler/node-fit"
export { EndpointSliceController, type EndpointSliceControllerConfig, ENDPOINTSLICE_CONTROLLER_NAME, LABEL_HEADLESS } from "./endpointslice/endpointslice-controller"
export { findPort, endpointPorts, podToEndpoint, LABEL_TOPOLOGY_ZONE } from "./endpointslice/desired-endpoints"
export { ServiceAllocator, type ServiceAllocatorConfig } from "./allocators/service-allocator"
export { ServiceIpRange, DEFAULT_SERVICE_CIDR } from "./allocators/service-ip-range"
export { NodePortAllocatorRange } from "./allocators/node-port-range"
export { BandedBitmap, rangeOffset, type AllocationFailure } from "./allocators/banded-bitmap"
export { dropTypeDependentFields } from "./allocators/type-dependent-fields"
export { NodeLifecycleController, type NodeLifecycleConfig } from "./nodelifecycle/node-lifecycle-controller"
export { NodeLeases, DEFAULT_LEASE_RENEW_INTERVAL } from "./nodelifecycle/node-leases"
export { defaultTolerationSecondsAdmission, DEFAULT_TOLERATION_SECONDS, TAINT_NOT_READY, TAINT_UNREACHABLE } from "./nodelifecycle/default-tolerations"
export { LoadBalancerController, type LoadBalancerControllerConfig } from "./loadbalancer/load-balancer-controller"
