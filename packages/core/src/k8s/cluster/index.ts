export { Cluster, ClusterApplyError, type ApplyOutcome, type ClusterNode } from "./cluster"
export {
  resolveClusterConfig,
  defaultNodes,
  kindWorkerName,
  ClusterConfigError,
  DEFAULT_UPSTREAM_ZONE,
  type ClusterConfig,
  type ClusterConfigInput,
  type ClusterDelays,
  type LoadBalancerAlgorithm,
  type NodeConfig,
} from "./cluster-config"
export { CloudLoadBalancer, type CloudLoadBalancerOptions } from "./cloud-load-balancer"
export { ServiceRecorder } from "./service-records"
export { ImageLauncher, type ImageLauncherOptions } from "./image-launcher"
export { requestLabeller, type LabellerContext } from "./request-labeller"
export { bootstrapManifests } from "./bootstrap"
export { clusterDns } from "./cluster-dns"
