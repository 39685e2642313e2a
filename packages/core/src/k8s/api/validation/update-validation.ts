import { deepEqual as same } from "../deep-equal"
import type { KubeObject } from "../kinds"
import { type FieldError, forbidden, goLabelSelector, goStringSlice, invalid } from "./field-error"

/** Pod spec fields a user update may change (pkg/apis/core/validation/validation.go `ValidatePodUpdate`). */
const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

/**
 * The immutable-field rules of update validation, checked by the store on apply (the object was already
 * validated as a create). `next` is the merged object the update would store.
 * - Service: clusterIP/clusterIPs may not change once set, except to or from ExternalName
 *   (validation.go `ValidateServiceUpdate` / `validateServiceClusterIPsRelatedFields`).
 * - Deployment, ReplicaSet: spec.selector is immutable in apps/v1 (apps/validation `ValidateDeploymentUpdate`).
 * - EndpointSlice: addressType is immutable (discovery/validation `ValidateEndpointSliceUpdate`).
 * - Pod: only container images may change (`ValidatePodUpdate`; kubesim does not model the other exceptions).
 * - Node: podCIDRs may only go from unset to set (`ValidateNodeUpdate`).
 */
export const validateUpdate = (next: KubeObject, old: KubeObject): FieldError[] => {
  const errs: FieldError[] = []
  if (next.kind === "Service" && old.kind === "Service") {
    // validation.go `validateUpgradeDowngradeClusterIPs`: with as many IPs as before, each changed index is an
    // error whose value is the whole new list; a different count is a dual-stack up/downgrade, IPv4-only here.
    const oldIPs = old.spec.clusterIPs ?? []
    const newIPs = next.spec.clusterIPs ?? []
    const wasIP = old.spec.type !== "ExternalName" && oldIPs.length > 0
    const headless = (ips: ReadonlyArray<string>) => ips[0] === "None"
    if (wasIP && next.spec.type !== "ExternalName" && !(headless(oldIPs) && headless(newIPs))) {
      if (oldIPs.length === newIPs.length) {
        oldIPs.forEach((ip, i) => {
          if (ip !== newIPs[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, goStringSlice(newIPs), "may not change once set"))
        })
      } else if (newIPs.length === 0) {
        errs.push(invalid("spec.clusterIPs[0]", goStringSlice(next.spec.clusterIPs), "primary clusterIP can not be unset"))
      } else if (newIPs[0] !== oldIPs[0]) {
        errs.push(invalid("spec.clusterIPs[0]", goStringSlice(newIPs), "may not change once set"))
      }
    }
  } else if ((next.kind === "Deployment" && old.kind === "Deployment") || (next.kind === "ReplicaSet" && old.kind === "ReplicaSet")) {
    if (!same(next.spec.selector, old.spec.selector)) errs.push(invalid("spec.selector", goLabelSelector(next.spec.selector), "field is immutable"))
  } else if (next.kind === "StatefulSet" && old.kind === "StatefulSet") {
    // apps/validation `ValidateStatefulSetUpdate`: only these spec fields may change.
    const rest = (s: typeof next.spec) => ({ ...s, replicas: 0, ordinalsStart: 0, template: null, updateStrategy: null, revisionHistoryLimit: 0, minReadySeconds: 0 })
    if (!same(rest(next.spec), rest(old.spec))) {
      errs.push(forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
    }
  } else if (next.kind === "DaemonSet" && old.kind === "DaemonSet") {
    if (!same(next.spec.selector, old.spec.selector)) errs.push(invalid("spec.selector", goLabelSelector(next.spec.selector), "field is immutable"))
  } else if ((next.kind === "ConfigMap" && old.kind === "ConfigMap") || (next.kind === "Secret" && old.kind === "Secret")) {
    // core/validation `ValidateConfigMapUpdate` / `ValidateSecretUpdate`: an immutable object keeps its data.
    if (next.kind === "Secret" && old.kind === "Secret" && next.type !== old.type) errs.push(invalid("type", next.type, "field is immutable"))
    if (old.immutable === true) {
      if (next.immutable !== true) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"))
      if (!same(next.data, old.data)) errs.push(forbidden("data", "field is immutable when `immutable` is set"))
      if (next.kind === "ConfigMap" && old.kind === "ConfigMap" && !same(next.binaryData, old.binaryData)) errs.push(forbidden("binaryData", "field is immutable when `immutable` is set"))
    }
  } else if (next.kind === "EndpointSlice" && old.kind === "EndpointSlice") {
    if (next.addressType !== old.addressType) errs.push(invalid("addressType", next.addressType, "field is immutable"))
  } else if (next.kind === "Pod" && old.kind === "Pod") {
    const strip = (s: typeof next.spec) => ({
      ...s,
      containers: s.containers.map((c) => ({ ...c, image: "" })),
      initContainers: s.initContainers?.map((c) => ({ ...c, image: "" })),
    })
    if (!same(strip(next.spec), strip(old.spec))) errs.push(forbidden("spec", POD_UPDATE_FORBIDDEN))
  } else if (next.kind === "Node" && old.kind === "Node") {
    const oldCIDRs = old.spec.podCIDRs ?? []
    if (oldCIDRs.length > 0 && !same(next.spec.podCIDRs, old.spec.podCIDRs)) {
      errs.push(forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'))
    }
  }
  return errs
}
