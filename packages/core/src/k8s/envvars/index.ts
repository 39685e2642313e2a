export {
  type EnvVar,
  MASTER_SERVICES,
  fromServices,
  isServiceIpSet,
  makeEnvVariableName,
  serviceEnvVars,
  servicesForPod,
} from "./service-env-vars"
export { containerEnvironment, expandEnvReferences, formatEnv } from "./container-env"
export { ASH_VTABSIZE, ashEnvironmentOrder, ashVarBucket } from "./ash-environment"
