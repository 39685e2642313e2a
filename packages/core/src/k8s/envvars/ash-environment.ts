import type { EnvVar } from "./service-env-vars"

/** busybox `shell/ash.c`: `#define VTABSIZE 39`, the size of ash's variable hash table. */
export const ASH_VTABSIZE = 39

/**
 * busybox `shell/ash.c` `hashvar`: the first byte shifted left by 4, plus every byte of the name (up to `=`),
 * modulo VTABSIZE. Names are ASCII here (validation keeps env names to C identifiers and service names to
 * DNS labels), so UTF-16 code units equal the bytes ash hashes.
 */
export const ashVarBucket = (name: string): number => {
  if (name.length === 0) return 0
  let hash = (name.charCodeAt(0) & 0xff) << 4
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 61) break // '='
    hash = (hash + (c & 0xff)) >>> 0
  }
  return hash % ASH_VTABSIZE
}

/**
 * The order in which a busybox `sh` hands its exported variables to a command it runs (what `env` prints
 * inside `kubectl run -it --image=busybox ... sh`). busybox `shell/ash.c`: at start-up `initvar`/`setvareq`
 * put each inherited variable at the tail of its `hashvar` bucket, and `listvars` (used by `environment()`
 * for every exec) walks buckets 0..VTABSIZE-1 and each bucket front to back. So the order is by bucket, and
 * within a bucket the order the process received them (from containerd, i.e. the kubelet's order). The seed
 * walkthrough's `env | grep WEB_SERVICE` is exactly this order (buckets 6, 6, 12, 15, 16, 24, 38).
 */
export const ashEnvironmentOrder = (vars: ReadonlyArray<EnvVar>): EnvVar[] => {
  const buckets: EnvVar[][] = []
  for (let b = 0; b < ASH_VTABSIZE; b++) buckets.push([])
  const seen = new Set<string>()
  for (const v of vars) {
    // A repeated name keeps its first slot in the bucket (setvareq finds the existing entry); the later value wins.
    if (seen.has(v.name)) {
      const bucket = buckets[ashVarBucket(v.name)] as EnvVar[]
      const at = bucket.findIndex((x) => x.name === v.name)
      bucket[at] = v
      continue
    }
    seen.add(v.name)
    ;(buckets[ashVarBucket(v.name)] as EnvVar[]).push(v)
  }
  return buckets.flat()
}
