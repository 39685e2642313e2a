import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { proxy } from "@kubesim/core"

/** The lines kube-proxy owns in an iptables-save dump: its chains and every rule naming a KUBE- chain, in order. */
export const kubeProxyLines = (save: string): string[] =>
  save.split("\n").filter((l) => (l.startsWith(":KUBE-") || l.startsWith("-A ")) && l.includes("KUBE-")).map((l) => l.replace(/ \[\d+:\d+\]$/, ""))

/** What the kernel made of one node's restores: the first it refused (index and iptables' message), and its iptables-save. */
export interface KernelReplay {
  readonly refused: { readonly index: number; readonly message: string } | null
  readonly save: string
}

const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Replays a node's kube-proxy restores, in order, in a fresh network namespace of the real kernel as kube-proxy
 * does each sync (pkg/util/iptables EnsureChain + EnsureRule(Prepend) for the jump rules — `-N`, `-C`, else
 * `-I` — then `iptables-restore --noflush --counters`). Needs root and iptables (the conformance package's
 * probe decides whether to run).
 */
export const replayInKernel = (restores: ReadonlyArray<{ readonly payload: string; readonly jumps: ReadonlyArray<proxy.JumpRule> | undefined }>): KernelReplay => {
  const dir = mkdtempSync(join(tmpdir(), "kubesim-props-"))
  try {
    const script = ["set -u"]
    restores.forEach((r, i) => {
      writeFileSync(join(dir, `restore-${i}`), r.payload)
      for (const j of r.jumps ?? []) {
        script.push(`iptables -w -t ${j.table} -N ${j.dstChain} 2>/dev/null`)
        script.push(`iptables -w -t ${j.table} -C ${j.srcChain} ${j.args} 2>/dev/null || iptables -w -t ${j.table} -I ${j.srcChain} ${j.args} || { echo ${i} > ${shellWord(join(dir, "refused"))}; exit 0; }`)
      }
      script.push(`iptables-restore -w --noflush --counters < ${shellWord(join(dir, `restore-${i}`))} 2> ${shellWord(join(dir, "error"))} || { echo ${i} > ${shellWord(join(dir, "refused"))}; iptables-save > ${shellWord(join(dir, "save"))}; exit 0; }`)
    })
    script.push(`iptables-save > ${shellWord(join(dir, "save"))}`)
    writeFileSync(join(dir, "replay.sh"), `${script.join("\n")}\n`)
    const r = spawnSync("unshare", ["--net", "bash", join(dir, "replay.sh")], { encoding: "utf8" })
    if (r.status !== 0) throw new Error(`unshare --net bash replay.sh failed (${r.status}): ${r.stderr}`)
    const read = (f: string): string => {
      try {
        return readFileSync(join(dir, f), "utf8")
      } catch {
        return ""
      }
    }
    const refused = read("refused").trim()
    return { refused: refused === "" ? null : { index: Number(refused), message: read("error").trim() }, save: read("save") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
