import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { applyNft, dumpNftCommands, NftRuleset, renderNftRuleset } from "../../../net/index"
import { startProxier } from "../test-support/fixtures"
import { fakeNftProxier, sortNFTablesTransaction } from "../test-support/nft-node"
import { OVERALL_SERVICES as services, OVERALL_SLICES as slices } from "../test-support/overall-fixture"

const golden = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")

// pkg/proxy/nftables/proxier_test.go TestOverallNFTablesRules: the table after one sync (knftables' Fake.Dump),
// identical to upstream's expected text after sortNFTablesTransaction.
describe("TestOverallNFTablesRules", () => {
  it("reproduces the upstream fixture exactly", () => {
    const { proxier, sink } = fakeNftProxier()
    startProxier(proxier, services, slices)
    expect(sortNFTablesTransaction(dumpNftCommands(sink.ruleset))).toBe(sortNFTablesTransaction(golden("overall-nftables-rules.golden")))
    expect(proxier.lastResult?.fullSync).toBe(true)
  })

  it("writes the same transaction whatever order the objects arrive in", () => {
    const a = fakeNftProxier()
    startProxier(a.proxier, services, slices)
    const b = fakeNftProxier()
    startProxier(b.proxier, [...services].reverse(), [...slices].reverse())
    expect(b.sink.last).toBe(a.sink.last)
  })

  it("leaves a ruleset whose listing reads back unchanged", () => {
    const { proxier, sink } = fakeNftProxier()
    startProxier(proxier, services, slices)
    const listing = renderNftRuleset(sink.ruleset)
    const again = new NftRuleset()
    applyNft(again, listing)
    expect(renderNftRuleset(again)).toBe(listing)
    expect(listing).toContain("numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80, 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }")
  })
})
