import { readdirSync, readFileSync } from "node:fs"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { parse, stringify } from "yaml"
import { runs } from "../../../../../../test-support/runs"
import { decodeManifests } from "./decode-manifests"
import { decodeObject } from "./decode-object"
import { formatManifestIssues } from "./manifest-issue"

// The seed manifests as plain values: fuzzing near valid objects reaches the decoder's success path (random
// text or JSON almost never does) and every validation rule, not only the first type check.
const SEED = "/work/shared/seed/manifests"
const seeds: unknown[] = readdirSync(SEED)
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map((f) => parse(readFileSync(`${SEED}/${f}`, "utf8")) as unknown)

type Path = ReadonlyArray<string | number>

/** Every path to a value in a JSON tree, preorder (the root is the empty path). */
const pathsOf = (v: unknown, at: Path = [], out: Path[] = []): Path[] => {
  out.push(at)
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out))
  else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out)
  return out
}

type Mutation = { readonly at: number; readonly op: "set" | "delete" | "add"; readonly key: string; readonly value: unknown }

const clone = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown

const applyMutation = (root: unknown, m: Mutation): unknown => {
  const paths = pathsOf(root)
  const path = paths[m.at % paths.length] as Path
  if (path.length === 0) return m.op === "set" ? m.value : root
  let parent = root as Record<string | number, unknown>
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (m.op === "set") parent[last] = m.value
  else if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else {
    const target = parent[last]
    if (Array.isArray(target)) target.push(m.value)
    else if (typeof target === "object" && target !== null) (target as Record<string, unknown>)[m.key] = m.value
    else parent[last] = m.value
  }
  return root
}

// Values a person might plausibly write, besides arbitrary JSON.
const plausible = fc.oneof(
  fc.integer({ min: -2, max: 70000 }),
  fc.constantFrom(0, 1, 80, 443, 30000, 32767, 32768, 65535, 65536, 10800, 86400, 86401),
  fc.constantFrom("", "web", "Web", "web-service", "1web", "a.b", "TCP", "UDP", "SCTP", "tcp", "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "None", "ClientIP", "Local", "10.96.0.10", "25%", "http", "db.example.com", "nginx:1.25", "Always"),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.constantFrom("app", "tier", "name", "port", "x"), fc.constantFrom("web", "api", 80, "")),
  fc.jsonValue({ maxDepth: 2 }),
)
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "set", "delete", "add"),
  key: fc.constantFrom("name", "port", "targetPort", "nodePort", "selector", "type", "labels", "unknownField", "clusterIP", "replicas"),
  value: plausible,
})
const mutated = fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { maxLength: 3 })).map(([i, ms]) => ms.reduce(applyMutation, clone(seeds[i])))

describe("decoding near-valid manifests", () => {
  test("never throws; objects xor errors; a decoded object decodes again to itself (defaulting is idempotent)", () => {
    let decoded = 0
    let rejected = 0
    fc.assert(
      fc.property(mutated, (value) => {
        const r = decodeObject(value)
        const errors = r.problems.filter((p) => p.severity === "error")
        if (r.object === undefined) {
          expect(errors.length).toBeGreaterThan(0)
          for (const e of errors) expect(e.message.length).toBeGreaterThan(0)
          rejected++
          return
        }
        expect(errors).toEqual([])
        decoded++
        // What kubectl get -o json prints, applied again, is the same object with no errors or warnings.
        const again = decodeObject(clone(r.object))
        expect(again.problems).toEqual([])
        expect(again.object).toEqual(r.object)
        // The same value as YAML text decodes to the same object.
        const text = decodeManifests(stringify(value), { file: "m.yml" })
        expect(text.errors).toEqual([])
        expect(text.objects.map((o) => o.object)).toEqual([r.object])
        formatManifestIssues(text.warnings)
      }),
      { numRuns: runs(1500) },
    )
    // Both paths are exercised, not only the first type check.
    expect(decoded).toBeGreaterThan(runs(1500) / 10)
    expect(rejected).toBeGreaterThan(runs(1500) / 10)
  })
})
