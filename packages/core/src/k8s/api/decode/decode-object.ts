import { Either, ParseResult, type Schema } from "effect"
import { defaultEndpointSlice, defaultNamespace, defaultNode } from "../defaults/cluster-defaults"
import { defaultPod } from "../defaults/pod-defaults"
import { defaultService } from "../defaults/service-defaults"
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from "../defaults/workload-defaults"
import { defaultConfigMap, defaultSecret, defaultServiceAccount } from "../defaults/config-defaults"
import { ConfigMapWire, SecretWire, ServiceAccountWire } from "../wire/config-wire"
import { DEFAULT_NAMESPACE, KINDS, type Kind, type KubeObject, kindInfo } from "../kinds"
import { formatFieldError } from "../validation/field-error"
import { type ValidationOptions, validateObject } from "../validation/validate-object"
import { validateRecreateStrategy } from "../validation/workload-validation"
import { NamespaceWire, NodeWire } from "../wire/cluster-wire"
import { EndpointSliceWire } from "../wire/endpoint-slice-wire"
import { PodWire } from "../wire/pod-wire"
import { ServiceWire } from "../wire/service-wire"
import { DaemonSetWire, DeploymentWire, ReplicaSetWire, StatefulSetWire } from "../wire/workload-wire"
import type { ManifestIssueReason } from "./manifest-issue"
import { describeValue, fieldPathText, flattenIssue } from "./schema-issues"

/** A problem in one object, located by field path only (the caller adds file, document and line). */
export interface ObjectProblem {
  readonly severity: "error" | "warning"
  readonly reason: ManifestIssueReason
  readonly segments: ReadonlyArray<string | number>
  readonly field: string
  readonly expected: string
  readonly found: string
  readonly message: string
}

export interface DecodeObjectOptions extends ValidationOptions {
  /** Namespace for namespaced objects that name none (kubectl's context namespace); default "default". */
  readonly namespace?: string
}

export interface DecodedObject {
  /** Undefined when there are errors. */
  readonly object: KubeObject | undefined
  readonly kind: string | undefined
  readonly name: string | undefined
  readonly problems: ReadonlyArray<ObjectProblem>
}

interface KindCodec {
  readonly schema: Schema.Schema<any, any, never>
  readonly build: (wire: any, namespace: string) => KubeObject
}

const codecs: Record<Kind, KindCodec> = {
  Pod: { schema: PodWire, build: defaultPod },
  Service: { schema: ServiceWire, build: defaultService },
  Deployment: { schema: DeploymentWire, build: defaultDeployment },
  ReplicaSet: { schema: ReplicaSetWire, build: defaultReplicaSet },
  EndpointSlice: { schema: EndpointSliceWire, build: defaultEndpointSlice },
  Namespace: { schema: NamespaceWire, build: (w) => defaultNamespace(w) },
  Node: { schema: NodeWire, build: (w) => defaultNode(w) },
  StatefulSet: { schema: StatefulSetWire, build: defaultStatefulSet },
  DaemonSet: { schema: DaemonSetWire, build: defaultDaemonSet },
  ConfigMap: { schema: ConfigMapWire, build: defaultConfigMap },
  Secret: { schema: SecretWire, build: defaultSecret },
  ServiceAccount: { schema: ServiceAccountWire, build: defaultServiceAccount },
}

/** The kinds kubesim serves, as the unknown-kind error lists them: `apps/v1 Deployment, v1 Pod, …`. */
const SUPPORTED_KINDS = KINDS.map((k) => `${k.apiVersion} ${k.kind}`).join(", ")

/** JSON null means "unset" to Kubernetes' decoder: drop null members of objects (array elements stay, and fail). */
const dropNulls = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(dropNulls)
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x)
    return out
  }
  return v
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const problem = (
  reason: ObjectProblem["reason"],
  segments: ReadonlyArray<string | number>,
  expected: string,
  found: string,
  message: string,
  severity: "error" | "warning" = "error",
): ObjectProblem => ({ severity, reason, segments, field: fieldPathText(segments), expected, found, message })

/** Field path text back to segments (`spec.ports[0].port` → ["spec", "ports", 0, "port"]). */
export const fieldSegments = (field: string): Array<string | number> => {
  const out: Array<string | number> = []
  const re = /([^.[\]]+)|\[([^\]]*)\]/g
  for (let m = re.exec(field); m !== null; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(m[1])
    else if (m[2] !== undefined) out.push(/^[0-9]+$/.test(m[2]) ? Number(m[2]) : m[2])
  }
  return out
}

/**
 * Decodes one JSON value (a parsed manifest document) into a defaulted, validated object. Never throws.
 * Order, as the API server: type check (unknown fields become warnings), defaulting, validation.
 * Unknown apiVersion/kind is an error (kubectl's "no matches for kind"), so a typo never goes unnoticed.
 */
export const decodeObject = (input: unknown, options: DecodeObjectOptions = {}): DecodedObject => {
  if (!isRecord(input)) {
    const msg = `expected an object with apiVersion, kind and metadata, found ${describeValue(input)}`
    return { object: undefined, kind: undefined, name: undefined, problems: [problem("NotAnObject", [], "object", describeValue(input), msg)] }
  }
  const value = dropNulls(input) as Record<string, unknown>
  const kind = typeof value["kind"] === "string" ? value["kind"] : undefined
  const apiVersion = typeof value["apiVersion"] === "string" ? value["apiVersion"] : undefined
  const meta = value["metadata"]
  const name = isRecord(meta) && typeof meta["name"] === "string" ? meta["name"] : undefined
  const namespace = isRecord(meta) && typeof meta["namespace"] === "string" ? meta["namespace"] : ""
  const result = (object: KubeObject | undefined, problems: ObjectProblem[]): DecodedObject => ({ object, kind, name, problems })

  if (kind === undefined || kind === "" || apiVersion === undefined || apiVersion === "") {
    const missing = [apiVersion === undefined || apiVersion === "" ? "apiVersion not set" : "", kind === undefined || kind === "" ? "kind not set" : ""].filter((s) => s !== "")
    const msg = missing.length === 1 ? (missing[0] as string) : `[${missing.join(", ")}]`
    return result(undefined, [problem("NotAnObject", [], "apiVersion and kind", describeValue(kind ?? apiVersion), msg)])
  }
  const info = kindInfo(kind)
  if (info === undefined || info.apiVersion !== apiVersion) {
    // kubectl: `resource mapping not found for name: … : no matches for kind "X" in version "v"`.
    // kubectl's text, then what kubesim serves (a real cluster would list its API groups with `kubectl api-resources`).
    const msg = `resource mapping not found for name: ${JSON.stringify(name ?? "")} namespace: ${JSON.stringify(namespace)}: no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}; ensure CRDs are installed first (kubesim serves ${SUPPORTED_KINDS})`
    const expected = info === undefined ? `a kind kubesim serves (${SUPPORTED_KINDS})` : `apiVersion ${info.apiVersion}`
    return result(undefined, [problem("UnknownKind", info === undefined ? ["kind"] : ["apiVersion"], expected, `${apiVersion} ${kind}`, msg)])
  }
  const codec = codecs[info.kind]
  const problems: ObjectProblem[] = []
  const strict = ParseResult.decodeUnknownEither(codec.schema, { errors: "all", onExcessProperty: "error" })(value)
  if (Either.isLeft(strict)) {
    for (const p of flattenIssue(strict.left)) {
      if (p.unknownField) {
        const f = fieldPathText(p.path)
        problems.push(problem("UnknownField", p.path, "", describeValue(p.actual), `unknown field ${JSON.stringify(f)}`, "warning"))
      } else {
        const f = fieldPathText(p.path)
        const found = describeValue(p.actual)
        problems.push(problem("TypeMismatch", p.path, p.expected, found, `${f}: Invalid type: expected ${p.expected}, found ${found}`))
      }
    }
    if (problems.some((p) => p.severity === "error")) return result(undefined, problems)
  }
  const lenient = ParseResult.decodeUnknownEither(codec.schema, { errors: "all", onExcessProperty: "ignore" })(value)
  if (Either.isLeft(lenient)) {
    // Unreachable when the strict pass found only unknown fields; reported rather than thrown all the same.
    return result(undefined, [...problems, problem("TypeMismatch", [], "a valid object", "object", "the object does not match its schema")])
  }
  const object = codec.build(lenient.right, options.namespace ?? DEFAULT_NAMESPACE)
  const wireErrors = info.kind === "Deployment" ? validateRecreateStrategy((lenient.right as { spec?: { strategy?: { type?: string; rollingUpdate?: unknown } } }).spec?.strategy) : []
  for (const e of [...validateObject(object, options), ...wireErrors]) {
    problems.push(problem(e.type, fieldSegments(e.field), expectedOf(e.detail, e.type), e.value === undefined ? "" : describeValue(e.value), formatFieldError(e)))
  }
  return result(problems.some((p) => p.severity === "error") ? undefined : object, problems)
}

const expectedOf = (detail: string, type: string): string => (detail !== "" ? detail : type === "Required" ? "a value" : type)
