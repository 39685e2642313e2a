import type { Admission } from "../../store/index"
import type { Toleration } from "../../api/index"

export const TAINT_NOT_READY = "node.kubernetes.io/not-ready"
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"

/** plugin/pkg/admission/defaulttolerationseconds: `--default-not-ready-toleration-seconds` / `--default-unreachable-toleration-seconds`, 300. */
export const DEFAULT_TOLERATION_SECONDS = 300

/**
 * The DefaultTolerationSeconds admission plugin (admission.go `Admit`): on pod creation, unless the pod already
 * tolerates them, add `node.kubernetes.io/not-ready:NoExecute` and `node.kubernetes.io/unreachable:NoExecute`
 * tolerations (operator Exists) for `seconds`. This is why pods on a failed node are evicted 5 minutes after it
 * becomes NotReady.
 */
export const defaultTolerationSecondsAdmission = (seconds = DEFAULT_TOLERATION_SECONDS): Admission => (obj, old) => {
  if (obj.kind !== "Pod" || old !== undefined) return obj
  const tols = obj.spec.tolerations ?? []
  const has = (key: string) => tols.some((t) => (t.key === key || ((t.key ?? "") === "" && t.operator === "Exists")) && (t.effect === undefined || t.effect === "" || t.effect === "NoExecute"))
  const add: Toleration[] = []
  if (!has(TAINT_NOT_READY)) add.push({ key: TAINT_NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds })
  if (!has(TAINT_UNREACHABLE)) add.push({ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds })
  return add.length === 0 ? obj : { ...obj, spec: { ...obj.spec, tolerations: [...tols, ...add] } }
}
