import type { Rng } from "../../../sim/index"

/** apimachinery/pkg/util/rand/rand.go `alphanums`: no vowels (no accidental words), no 0/1/3 (confusable). */
export const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"

/**
 * apimachinery/pkg/util/rand/rand.go `String`: n characters of ALPHANUMS, each taken from 5 random bits, with
 * values ≥ 27 rejected (upstream slices an Int63 into 5-bit groups; we slice a uint32 into six of them).
 */
export const randomString = (rng: Rng, n: number): string => {
  let out = ""
  let bits = 0
  let left = 0
  while (out.length < n) {
    if (left === 0) {
      bits = rng.uint32()
      left = 6
    }
    const idx = bits & 31
    bits >>>= 5
    left--
    if (idx < ALPHANUMS.length) out += ALPHANUMS[idx]
  }
  return out
}

/** apiserver/pkg/storage/names/generate.go: maxNameLength 63, randomLength 5, maxGeneratedNameLength 58. */
const MAX_GENERATED_NAME_LENGTH = 63 - 5

/** names.SimpleNameGenerator.GenerateName: the base (cut to 58 characters) followed by 5 random characters. */
export const generateName = (rng: Rng, base: string): string =>
  (base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base) + randomString(rng, 5)

/**
 * apimachinery/pkg/util/rand/rand.go `SafeEncodeString`: each byte of s mapped to ALPHANUMS[byte % 27], so a
 * decimal hash "1234567890" becomes characters that cannot spell words.
 */
export const safeEncodeString = (s: string): string => {
  let out = ""
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length]
  return out
}
