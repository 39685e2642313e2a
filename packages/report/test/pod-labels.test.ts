import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../test-support/runs"
import { podLabels } from "../src/render/pod-labels"

describe("pod labels for charts", () => {
  test("the random suffix when it tells pods apart, more segments only when needed", () => {
    const of = (...pods: string[]) => podLabels(pods.map((pod) => ({ pod, fallback: "?" })))
    expect(of("web-55894cfb4b-np7dm", "web-55894cfb4b-tqxkc")).toEqual(["np7dm", "tqxkc"])
    expect(of("web-0", "db-0")).toEqual(["web-0", "db-0"])
    expect(of("a-x-1", "b-x-1", "c")).toEqual(["a-x-1", "b-x-1", "c"])
    expect(podLabels([{ pod: null, fallback: "10.0.0.1:80" }, { pod: "web-1", fallback: "10.0.0.2:80" }])).toEqual(["10.0.0.1:80", "1"])
  })
  test("distinct names always get distinct labels, each a suffix of its name", () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,4}$/)
    const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("-"))
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), (names) => {
        const labels = podLabels(names.map((pod) => ({ pod, fallback: "" })))
        expect(new Set(labels).size).toBe(names.length)
        labels.forEach((l, i) => expect(names[i]!.endsWith(l)).toBe(true))
      }),
      { numRuns: runs(300) },
    )
  })
})
