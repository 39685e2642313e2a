import type { PodTemplateSpec } from "../../api/index"
import { safeEncodeString } from "./names"

/** FNV-1a, 32 bit (Go's hash/fnv New32a), over the UTF-8 bytes of `s`, continuing from `h`. */
export const fnv32a = (s: string, h = 0x811c9dc5): number => {
  const bytes = new TextEncoder().encode(s)
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** JSON with object keys sorted at every level: a canonical text of a value. */
export const canonicalJson = (v: unknown): string => {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null"
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`
}

/**
 * pkg/controller/controller_utils.go `ComputeHash`: FNV-32a over the pod template, then (if set) the collision
 * count as 8 bytes (uint32 little-endian, 4 zero bytes), printed in decimal and passed through `rand.SafeEncodeString` — the
 * `pod-template-hash` label and the suffix of a Deployment's ReplicaSet name ("5d9f7ffff8").
 * Upstream hashes the Go struct as printed by spew (`hashutil.DeepHashObject`); we hash canonical JSON of the
 * template, so the value has upstream's form and stability but not the byte-identical digits of a real cluster.
 */
export const computeHash = (template: PodTemplateSpec, collisionCount: number | undefined): string => {
  let h = fnv32a(canonicalJson(template))
  if (collisionCount !== undefined) {
    // controller_utils.go `ComputeHash`: `make([]byte, 8)` then `binary.LittleEndian.PutUint32` — the uint32 in
    // little-endian order followed by four zero bytes, all eight written to the hasher.
    const c = collisionCount >>> 0
    for (let i = 0; i < 8; i++) {
      h ^= i < 4 ? (c >>> (8 * i)) & 0xff : 0
      h = Math.imul(h, 0x01000193) >>> 0
    }
  }
  return safeEncodeString(String(h >>> 0))
}
