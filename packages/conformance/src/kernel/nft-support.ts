import { runCommand, tryCommand } from "./run-command"
import { NetnsRegistry } from "./netns-registry"
import { nextRunPrefix } from "./run-prefix"

// The objects and expressions kube-proxy's nftables proxier writes (pkg/proxy/nftables/proxier.go).
const PROBE = `add table ip ksc-probe
add chain ip ksc-probe e
add rule ip ksc-probe e meta l4proto tcp dnat to 10.0.0.1:80
add set ip ksc-probe aff { type ipv4_addr ; flags dynamic,timeout ; timeout 10s ; }
add map ip ksc-probe m { type ipv4_addr . inet_proto . inet_service : verdict ; }
add chain ip ksc-probe s
add rule ip ksc-probe s ip saddr @aff goto e
add rule ip ksc-probe s numgen random mod 2 vmap { 0 : goto e , 1 : goto e }
add chain ip ksc-probe nat-prerouting { type nat hook prerouting priority -100 ; }
add rule ip ksc-probe nat-prerouting ip daddr . meta l4proto . th dport vmap @m
add rule ip ksc-probe nat-prerouting fib daddr type local jump s
add chain ip ksc-probe nat-postrouting { type nat hook postrouting priority 100 ; }
add rule ip ksc-probe nat-postrouting mark and 0x4000 == 0 return
add rule ip ksc-probe nat-postrouting masquerade fully-random
`

/** Whether `nft` can load kube-proxy's kind of ruleset in a scratch namespace; the reason if not. */
export const probeNftSupport = (): string | null => {
  if (tryCommand(["sh", "-c", "command -v nft"]) instanceof Error) return "`nft` not found (apt-get install nftables)"
  const registry = new NetnsRegistry()
  try {
    const ns = registry.add(`${nextRunPrefix()}-nftprobe`)
    runCommand(["ip", "netns", "exec", ns, "nft", "-f", "-"], PROBE)
    return null
  } catch (e) {
    return `cannot load nftables rules in a network namespace here: ${(e as Error).message}`
  } finally {
    registry.teardown()
  }
}
