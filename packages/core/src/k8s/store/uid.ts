import type { Rng } from "../../sim/index"

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0")

/**
 * A random (version 4) UUID from a kubesim random stream: the API server uses `uuid.NewUUID` (k8s.io/apimachinery
 * /pkg/util/uuid), random bits in the RFC 4122 layout. Drawn from a named stream so runs are reproducible.
 */
export const uuidV4 = (rng: Rng): string => {
  const a = rng.uint32()
  const b = rng.uint32()
  const c = rng.uint32()
  const d = rng.uint32()
  const b2 = ((b & 0xffff0fff) | 0x00004000) >>> 0 // version 4 in the high nibble of the third group
  const c2 = ((c & 0x3fffffff) | 0x80000000) >>> 0 // variant 10xx
  const hb = hex8(b2)
  const hc = hex8(c2)
  // join builds a flat string: a template literal keeps V8's concatenation tree, ~430 bytes per object's uid.
  return [hex8(a), "-", hb.slice(0, 4), "-", hb.slice(4), "-", hc.slice(0, 4), "-", hc.slice(4), hex8(d)].join("")
}

/** apiserver/pkg/storage/names/generate.go `SimpleNameGenerator`: 5 characters from util/rand's alphabet. */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"

export const randomSuffix = (rng: Rng, length = 5): string => {
  let s = ""
  for (let i = 0; i < length; i++) s += ALPHANUMS[rng.int(0, ALPHANUMS.length)]
  return s
}

/** generate.go: a generateName prefix is cut so prefix + suffix fits in 63 characters. */
export const generateName = (rng: Rng, prefix: string): string => {
  const max = 63 - 5
  return `${prefix.length > max ? prefix.slice(0, max) : prefix}${randomSuffix(rng)}`
}
