import { describe, expect, it } from "vitest"
import { hash16, servicePortChains, servicePortEndpointChain } from "./chain-names"
import { computeProbability, formatFixed10 } from "./probability"

describe("chain names (proxier.go portProtoHash)", () => {
  it.each([
    ["ns1/svc1:p80", "tcp", "KUBE-SVC-XPGD46QRK7WJZT7O"],
    ["ns2/svc2:p8080", "tcp", "KUBE-SVC-2VJB64SDSIJUP5T6"],
    ["ns4/svc4:p8082", "tcp", "KUBE-SVC-EBDQOQU5SJFXRIL3"],
    ["kube-system/kube-dns:dns", "udp", "KUBE-SVC-TCOU7JCQXEZGVUNU"],
    ["kube-system/kube-dns:dns-tcp", "tcp", "KUBE-SVC-ERIFXISQEP7F7OF4"],
    ["default/kubernetes:https", "tcp", "KUBE-SVC-NPX46M4PTMTKRN6Y"],
    ["ns1/svc1", "tcp", "KUBE-SVC-AQI2S6QIMU7PVVRP"],
  ])("%s %s → %s", (spn, proto, want) => {
    expect(servicePortChains(spn, proto).cluster).toBe(want)
    expect(servicePortChains(spn, proto).external).toBe(want.replace("KUBE-SVC-", "KUBE-EXT-"))
  })

  it.each([
    ["ns1/svc1:p80", "10.180.0.1:80", "KUBE-SEP-SXIVWICOYRO3J4NJ"],
    ["ns5/svc5:p80", "10.180.0.3:80", "KUBE-SEP-I77PXRDZVX7PMWMN"],
    ["ns3/svc3:p8081", "203.0.113.4:8081", "KUBE-SEP-RUVVH7YV3PHQBDOS"],
    ["ns1/svc1:p80", "[fd00:10:180::1]:80", "KUBE-SEP-OGYCNMB4EMRUSJ6N"],
  ])("%s %s → %s", (spn, ep, want) => {
    expect(servicePortEndpointChain(spn, "tcp", ep)).toBe(want)
  })

  it("is 16 base32 characters", () => {
    expect(hash16("")).toMatch(/^[A-Z2-7]{16}$/)
  })
})

describe("computeProbability (Go %0.10f)", () => {
  // proxier_test.go TestComputeProbability
  it.each([
    [1, "1.0000000000"],
    [2, "0.5000000000"],
    [10, "0.1000000000"],
    [100, "0.0100000000"],
    [1000, "0.0010000000"],
    [10000, "0.0001000000"],
    [100000, "0.0000100000"],
    [100001, "0.0000099999"],
    [3, "0.3333333333"],
    [6, "0.1666666667"],
  ])("1/%i → %s", (n, want) => expect(computeProbability(n)).toBe(want))

  it("rounds exact ties half to even, as Go does (toFixed would round 1/2048 up)", () => {
    expect(computeProbability(2048)).toBe("0.0004882812")
    expect((1 / 2048).toFixed(10)).toBe("0.0004882813")
    expect(formatFixed10(0.00000000005)).toBe("0.0000000001") // not an exact tie in binary: above half
  })

  it("agrees with toFixed everywhere else up to 1/5000", () => {
    for (let n = 1; n <= 5000; n++) if (n !== 2048) expect(computeProbability(n)).toBe((1 / n).toFixed(10))
  })
})
