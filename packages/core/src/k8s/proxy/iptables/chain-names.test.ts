import { describe, expect, it } from "vitest"
import { hash16, servicePortChains, servicePortEndpointChain } from "./chain-names"

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
