import type { ConfigMap, Secret, ServiceAccount } from "../config"
import type { ConfigMapWire, SecretWire, ServiceAccountWire } from "../wire/config-wire"
import { defaultObjectMeta } from "./meta-defaults"

/** ConfigMap: nothing is defaulted. */
export const defaultConfigMap = (w: ConfigMapWire, namespace: string): ConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: defaultObjectMeta(w.metadata, namespace),
  ...(w.data !== undefined ? { data: w.data } : {}),
  ...(w.binaryData !== undefined ? { binaryData: w.binaryData } : {}),
  ...(w.immutable !== undefined ? { immutable: w.immutable } : {}),
})

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** Go's base64.StdEncoding of the UTF-8 bytes of `s`. */
export const base64Of = (s: string): string => {
  const b = new TextEncoder().encode(s)
  let out = ""
  for (let i = 0; i < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : "=") + (i + 2 < b.length ? B64[n & 63]! : "=")
  }
  return out
}

/**
 * Secret: type Opaque (pkg/apis/core/v1/defaults.go `SetDefaults_Secret`); `stringData` entries overwrite `data`
 * base64-encoded and stringData itself is dropped (pkg/apis/core/v1/conversion.go `Convert_v1_Secret_To_core_Secret`).
 */
export const defaultSecret = (w: SecretWire, namespace: string): Secret => {
  const data: Record<string, string> = { ...(w.data ?? {}) }
  for (const k of Object.keys(w.stringData ?? {}).sort()) data[k] = base64Of((w.stringData as Record<string, string>)[k] as string)
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: defaultObjectMeta(w.metadata, namespace),
    ...(w.data !== undefined || w.stringData !== undefined ? { data } : {}),
    type: w.type !== undefined && w.type !== "" ? w.type : "Opaque",
    ...(w.immutable !== undefined ? { immutable: w.immutable } : {}),
  }
}

/** ServiceAccount: nothing is defaulted. */
export const defaultServiceAccount = (w: ServiceAccountWire, namespace: string): ServiceAccount => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: defaultObjectMeta(w.metadata, namespace),
  ...(w.secrets !== undefined ? { secrets: w.secrets.map((s) => ({ ...(s.name !== undefined ? { name: s.name } : {}), ...(s.namespace !== undefined ? { namespace: s.namespace } : {}) })) } : {}),
  ...(w.imagePullSecrets !== undefined ? { imagePullSecrets: w.imagePullSecrets.map((s) => (s.name !== undefined ? { name: s.name } : {})) } : {}),
  ...(w.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: w.automountServiceAccountToken } : {}),
})
