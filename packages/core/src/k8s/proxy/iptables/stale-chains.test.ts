import { describe, expect, test } from "vitest"
import { staleServiceChains } from "./stale-chains"

describe("staleServiceChains (proxier.go's stale chain cleanup)", () => {
  const existing = ["PREROUTING", "KUBE-SERVICES", "KUBE-SVC-B", "KUBE-SEP-Z", "KUBE-SVC-A", "KUBE-EXT-A", "KUBE-FW-A", "KUBE-SVL-A", "KUBE-MARK-MASQ", "KIND-MASQ-AGENT"]
  const active = new Set(["KUBE-SERVICES", "KUBE-SVC-A", "KUBE-MARK-MASQ"])

  test("the service chains the rules no longer use, sorted; other chains are never stale", () => {
    expect(staleServiceChains(existing, active, undefined)).toEqual(["KUBE-EXT-A", "KUBE-FW-A", "KUBE-SEP-Z", "KUBE-SVC-B", "KUBE-SVL-A"])
  })

  test("a name-set token answers from the first walk (the token stands for the names); another token walks again", () => {
    const names = {}
    const first = staleServiceChains(existing, active, names)
    expect(staleServiceChains([], active, names)).toBe(first)
    expect(staleServiceChains(["KUBE-SVC-C"], active, {})).toEqual(["KUBE-SVC-C"])
    // A different active set (another state's rules) is another question.
    expect(staleServiceChains(existing, new Set([...active, "KUBE-SVC-B"]), names)).toEqual(["KUBE-EXT-A", "KUBE-FW-A", "KUBE-SEP-Z", "KUBE-SVL-A"])
  })
})
