import { describe, expect, it } from "vitest"
import { hashAndTruncate, hash8 } from "./names"

// Hashes recomputed from upstream's TestOverallNFTablesRules fixture (pkg/proxy/nftables/proxier_test.go).
describe("nftables chain names", () => {
  it("hash as proxier.go hashAndTruncate does", () => {
    expect(hash8("ns1/svc1/tcp/p80")).toBe("ULMVA6XW")
    expect(hash8("ns1/svc1/tcp/p80__10.180.0.1/80")).toBe("5OJB2KTY")
    expect(hash8("ns2/svc2/tcp/p80")).toBe("42NFTM6N")
    expect(hash8("ns5/svc5/tcp/p80__10.180.0.3/80")).toBe("GTK6MW7G")
  })

  it("truncate long names to 240 characters ending in ...", () => {
    const n = hashAndTruncate(`ns/${"x".repeat(300)}/tcp/p`)
    expect(n.length).toBe(240)
    expect(n.endsWith("...")).toBe(true)
  })
})
