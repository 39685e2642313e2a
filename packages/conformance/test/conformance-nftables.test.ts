import { nftRestoreCase } from "../src/cases/nft-restore-case"
import { probeNftSupport } from "../src/kernel/nft-support"
import { kubesimNftRuleSource } from "../src/kubesim/proxier-rule-source"
import { conformanceSuite } from "./conformance-suite"
import { decideSkip, skipReason } from "./kernel-gate"

// The kernel gate, then nft itself (the nftables package); required where the iptables suite is.
const reason =
  skipReason() ??
  (() => {
    const nft = probeNftSupport()
    return nft === null ? null : decideSkip({ ok: false, reason: nft }, process.env)
  })()
if (reason !== null) console.warn(`nftables kernel conformance SKIPPED: ${reason}`)

conformanceSuite("kubesim's kube-proxy nftables rules against the Linux kernel", reason, kubesimNftRuleSource, {
  name: "kubesim's transactions load with nft -f, and the kernel lists kubesim's listing back byte for byte",
  run: nftRestoreCase,
})
