import type { KubeObject } from "../kinds"
import type { FieldError } from "./field-error"
import { validateEndpointSlice, validateNamespace, validateNode } from "./cluster-validation"
import { validatePod } from "./pod-validation"
import { type NodePortRange, DEFAULT_NODE_PORT_RANGE, validateService } from "./service-validation"
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from "./workload-validation"
import { validateConfigMap, validateSecret, validateServiceAccount } from "./config-validation"

export interface ValidationOptions {
  readonly nodePortRange?: NodePortRange
}

/** Create-time validation of any kind; an empty list means valid. */
export const validateObject = (obj: KubeObject, options: ValidationOptions = {}): FieldError[] => {
  switch (obj.kind) {
    case "Pod":
      return validatePod(obj)
    case "Service":
      return validateService(obj, options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE)
    case "Deployment":
      return validateDeployment(obj)
    case "ReplicaSet":
      return validateReplicaSet(obj)
    case "EndpointSlice":
      return validateEndpointSlice(obj)
    case "Namespace":
      return validateNamespace(obj)
    case "Node":
      return validateNode(obj)
    case "StatefulSet":
      return validateStatefulSet(obj)
    case "DaemonSet":
      return validateDaemonSet(obj)
    case "ConfigMap":
      return validateConfigMap(obj)
    case "Secret":
      return validateSecret(obj)
    case "ServiceAccount":
      return validateServiceAccount(obj)
  }
}
