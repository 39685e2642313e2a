export { Cluster, ClusterApplyError, type ApplyOutcome, type ClusterNode } from "./cluster"
export {
  resolveClusterConfig,
  defaultNodes,
  kindWorkerName,
  ClusterConfigError,
  DEFAULT_UPSTREAM_ZONE,
  DEFAULT_MAX_PODS,
  type ClusterConfig,
  type ClusterConfigInput,
  type ClusterDelays,
  type LoadBalancerAlgorithm,
  type LoadBalancerHealthCheck,
  DEFAULT_LB_HEALTH_CHECK,
  type NodeConfig,
  type ClusterNetwork,
  type ExternalServerConfig,
  DEFAULT_NETWORK,
  ZONE_LABEL,
  type ProxyMode,
  type IpvsProxyConfig,
  DEFAULT_IPVS_PROXY_CONFIG,
} from "./cluster-config"
export { CloudLoadBalancer, LB_FLOW_IDLE_TIMEOUT, type CloudLoadBalancerOptions } from "./cloud-load-balancer"
export { LbFlowTable, type FlowPick } from "./lb-flow-table"
export { ServiceRecorder } from "./service-records"
export { ImageLauncher, type ImageLauncherOptions } from "./image-launcher"
export { requestLabeller, type LabellerContext } from "./request-labeller"
export { bootstrapManifests } from "./bootstrap"
export { clusterDns } from "./cluster-dns"
export { APP_ANNOTATIONS, AppAnnotationError, appTuningOf, type AppTuning } from "./app-annotations"
