import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { applyNft } from "./apply"
import { renderNftRuleset } from "./render"
import { NftRuleset } from "./ruleset"

const data = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")

// testdata/kube-proxy-sample.list is what nft 1.0.6 (nftables v1.0.6 "Lester Gooch #5") printed for
// `nft list ruleset` in a fresh network namespace after `nft -f kube-proxy-sample.nft`.
describe("nft list ruleset", () => {
  it("prints kube-proxy's objects exactly as the real nft does", () => {
    const rs = new NftRuleset()
    applyNft(rs, data("kube-proxy-sample.nft"))
    expect(renderNftRuleset(rs)).toBe(data("kube-proxy-sample.list"))
  })

  it("reads its own listing back into the same ruleset", () => {
    const rs = new NftRuleset()
    applyNft(rs, data("kube-proxy-sample.nft"))
    const again = new NftRuleset()
    applyNft(again, data("kube-proxy-sample.list"))
    expect(renderNftRuleset(again)).toBe(data("kube-proxy-sample.list"))
  })
})
