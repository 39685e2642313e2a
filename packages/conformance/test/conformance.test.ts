import { restoreCase } from "../src/cases/restore-case"
import { kubesimRuleSource } from "../src/kubesim/proxier-rule-source"
import { conformanceSuite } from "./conformance-suite"
import { skipReason } from "./kernel-gate"

conformanceSuite("kubesim's kube-proxy rules against the Linux kernel", skipReason(), kubesimRuleSource, {
  name: "kubesim's rules load with iptables-restore",
  run: restoreCase,
})
