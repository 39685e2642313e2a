import type { ObjectMeta } from "./meta"

/**
 * core/v1 ConfigMap. Stored and listed; kubesim mounts nothing and injects no `envFrom` (see the README's
 * approximations), so a bundle that carries its configuration applies whole.
 */
export interface ConfigMap {
  readonly apiVersion: "v1"
  readonly kind: "ConfigMap"
  readonly metadata: ObjectMeta
  readonly data?: Readonly<Record<string, string>>
  /** Base64 text as in the manifest. */
  readonly binaryData?: Readonly<Record<string, string>>
  readonly immutable?: boolean
}

/** core/v1 Secret: `stringData` is merged into `data` (base64) on write, as the API server's conversion does. */
export interface Secret {
  readonly apiVersion: "v1"
  readonly kind: "Secret"
  readonly metadata: ObjectMeta
  /** Base64 text. */
  readonly data?: Readonly<Record<string, string>>
  /** Defaulted to `Opaque`. */
  readonly type: string
  readonly immutable?: boolean
}

/** core/v1 ServiceAccount (no token controller: nothing is minted or mounted). */
export interface ServiceAccount {
  readonly apiVersion: "v1"
  readonly kind: "ServiceAccount"
  readonly metadata: ObjectMeta
  readonly secrets?: ReadonlyArray<{ readonly name?: string; readonly namespace?: string }>
  readonly imagePullSecrets?: ReadonlyArray<{ readonly name?: string }>
  readonly automountServiceAccountToken?: boolean
}
