import { describe, expect, test } from "vitest"
import { formatFieldError, goLabelSelector, goStringMap, goStringSlice, invalid, renderValue } from "./field-error"

// field/errors.go ErrorBody prints composite values with %#v; these are the forms seen in real API server
// messages (e.g. `spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set`).
describe("Go %#v syntax of composite values", () => {
  test("string slices, nil and non-nil", () => {
    expect(goStringSlice(["10.96.0.1", "fd00::1"]).text).toBe('[]string{"10.96.0.1", "fd00::1"}')
    expect(goStringSlice([]).text).toBe("[]string{}")
    expect(goStringSlice(undefined).text).toBe("[]string(nil)")
  })
  test("string maps print their keys sorted", () => {
    expect(goStringMap({ tier: "b", app: "a" }).text).toBe('map[string]string{"app":"a", "tier":"b"}')
    expect(goStringMap(undefined).text).toBe("map[string]string(nil)")
  })
  test("label selectors", () => {
    expect(goLabelSelector({ matchLabels: { app: "web" } }).text).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    )
    expect(goLabelSelector({ matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }, { key: "x", operator: "Exists" }] }).text).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"a"}}, v1.LabelSelectorRequirement{Key:"x", Operator:"Exists", Values:[]string(nil)}}}',
    )
  })
  test("a whole message, and plain values", () => {
    expect(formatFieldError(invalid("spec.clusterIPs[0]", goStringSlice(["None"]), "may not change once set"))).toBe(
      'spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set',
    )
    expect(renderValue(70000)).toBe("70000")
    expect(renderValue("web")).toBe('"web"')
    expect(renderValue(undefined)).toBe("null")
  })
})
