import { stringify } from "yaml"
import type { KubeObject } from "../api/index"

/** Recursively sorts object keys, as Go's encoding/json does for the maps of an unstructured object. */
const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k]
      if (x !== undefined) out[k] = sortKeys(x)
    }
    return out
  }
  return v
}

/** kubectl's list wrapper for several objects (`kubectl get … -o yaml`): `apiVersion: v1, kind: List, items`. */
export const asList = (objects: ReadonlyArray<KubeObject>): unknown => ({
  apiVersion: "v1",
  items: objects,
  kind: "List",
  metadata: { resourceVersion: "" },
})

/**
 * `-o json`: keys in sorted order, 4-space indentation (kubectl's JSONPrinter: `json.MarshalIndent(obj, "", "    ")`),
 * trailing newline. A single object prints bare; several print as a List.
 */
export const toJsonOutput = (objects: ReadonlyArray<KubeObject>, single = false): string =>
  `${JSON.stringify(sortKeys(single && objects.length === 1 ? objects[0] : asList(objects)), null, 4)}\n`

/**
 * `-o yaml`: keys sorted, 2-space indentation with sequences not indented under their key, quoting only where
 * needed (sigs.k8s.io/yaml over go-yaml v2, as kubectl's YAMLPrinter).
 */
export const toYamlOutput = (objects: ReadonlyArray<KubeObject>, single = false): string =>
  stringify(sortKeys(single && objects.length === 1 ? objects[0] : asList(objects)), {
    indentSeq: false,
    lineWidth: 0,
    singleQuote: true,
    aliasDuplicateObjects: false,
  })
