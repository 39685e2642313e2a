import type { ConfigMap, Secret, ServiceAccount } from "../config"
import { type FieldError, type FieldPath, invalid, path, required } from "./field-error"
import { nameIsDNSSubdomain, validateObjectMeta } from "./meta-validation"
import { DNS1123_SUBDOMAIN_MAX, maxLenError, regexError } from "./names"

const CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
const configMapKey = /^[-._a-zA-Z0-9]+$/

/** apimachinery validation.go `IsConfigMapKey` (with `hasChDirPrefix`). */
export const isConfigMapKey = (v: string): string[] => {
  const errs: string[] = []
  if (v.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX))
  if (!configMapKey.test(v)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
  if (v === ".") errs.push("must not be '.'")
  else if (v === "..") errs.push("must not be '..'")
  else if (v.startsWith("..")) errs.push("must not start with '..'")
  return errs
}

/** core/v1 `MaxSecretSize`: the sum of a ConfigMap's or Secret's values, 1 MiB. */
const MAX_SIZE = 1024 * 1024

const validateKeys = (m: Readonly<Record<string, string>> | undefined, fld: FieldPath): FieldError[] =>
  Object.keys(m ?? {}).flatMap((k) => isConfigMapKey(k).map((msg) => invalid(String(fld.key(k)), k, msg)))

/** Go's base64.StdEncoding.DecodeString: the offset of the first illegal byte (newlines skipped), or -1. */
const illegalBase64At = (s: string): number => {
  let n = 0
  let pad = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c === "\r" || c === "\n") continue
    if (c === "=") {
      if (n % 4 < 2) return i
      pad++
    } else if (pad > 0 || !/[A-Za-z0-9+/]/.test(c)) return i
    n++
  }
  return n % 4 === 0 ? -1 : s.length
}

/** Decoded size of base64 text. */
const base64Size = (s: string): number => {
  const t = s.replace(/[\r\n]/g, "")
  return Math.floor((t.length * 3) / 4) - (t.endsWith("==") ? 2 : t.endsWith("=") ? 1 : 0)
}

/** pkg/apis/core/validation/validation.go `ValidateConfigMap`. */
export const validateConfigMap = (cm: ConfigMap): FieldError[] => {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain)
  errs.push(...validateKeys(cm.data, path("data")))
  errs.push(...validateKeys(cm.binaryData, path("binaryData")))
  for (const k of Object.keys(cm.binaryData ?? {})) if (cm.data !== undefined && k in cm.data) errs.push(invalid(String(path("binaryData").key(k)), k, "duplicate of key present in data"))
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    const at = illegalBase64At(v)
    if (at >= 0) errs.push(invalid(String(path("binaryData").key(k)), "", `illegal base64 data at input byte ${at}`))
  }
  let size = 0
  for (const v of Object.values(cm.data ?? {})) size += new TextEncoder().encode(v).length
  for (const v of Object.values(cm.binaryData ?? {})) size += base64Size(v)
  if (size > MAX_SIZE) errs.push({ type: "TooLong", field: "", detail: `must have at most ${MAX_SIZE} bytes` })
  return errs
}

/** Keys a Secret of a well-known type must carry (validation.go `ValidateSecret`). */
const REQUIRED_KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
}

/** pkg/apis/core/validation/validation.go `ValidateSecret`: keys, size, base64, and the well-known types' keys. */
export const validateSecret = (s: Secret): FieldError[] => {
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain)
  const dataPath = path("data")
  errs.push(...validateKeys(s.data, dataPath))
  let size = 0
  for (const [k, v] of Object.entries(s.data ?? {})) {
    const at = illegalBase64At(v)
    if (at >= 0) errs.push(invalid(String(dataPath.key(k)), "", `illegal base64 data at input byte ${at}`))
    size += base64Size(v)
  }
  if (size > MAX_SIZE) errs.push({ type: "TooLong", field: "data", detail: `must have at most ${MAX_SIZE} bytes` })
  const data = s.data ?? {}
  if (s.type === "kubernetes.io/service-account-token") {
    if ((s.metadata.annotations?.["kubernetes.io/service-account.name"] ?? "") === "") errs.push(required(String(path("metadata").child("annotations").key("kubernetes.io/service-account.name"))))
  } else if (s.type === "kubernetes.io/basic-auth") {
    if (!("username" in data) && !("password" in data)) errs.push(required(String(dataPath.key("username"))), required(String(dataPath.key("password"))))
  }
  for (const k of REQUIRED_KEYS[s.type] ?? []) if (!(k in data)) errs.push(required(String(dataPath.key(k))))
  return errs
}

/** pkg/apis/core/validation/validation.go `ValidateServiceAccount`: its metadata (a DNS subdomain name). */
export const validateServiceAccount = (sa: ServiceAccount): FieldError[] => validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain)
