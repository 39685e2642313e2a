import type { ChildProcess } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { runCommand, tryCommand } from "./run-command"
import { NETNS_DIR, NETNS_FAMILY } from "./run-prefix"

/** One file per namespace we create, holding the creating process's pid, so a sweeper can tell stale ones. */
const OWNER_DIR = "/run/kubesim-conformance"

const live = new Set<NetnsRegistry>()
let hooksInstalled = false

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const killNamespacePids = (name: string): void => {
  const pids = tryCommand(["ip", "netns", "pids", name])
  if (pids instanceof Error) return
  for (const line of pids.stdout.split("\n")) {
    const pid = Number(line.trim())
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
  }
}

const deleteNamespace = (name: string): void => {
  killNamespacePids(name)
  tryCommand(["ip", "netns", "del", name])
  rmSync(join(OWNER_DIR, name), { force: true })
}

/**
 * Owns the network namespaces and processes of one harness and removes them: on `teardown()`, and — for every
 * registry still alive — when the process exits or is killed by SIGINT/SIGTERM/SIGHUP. Deleting a namespace
 * destroys its veth ends (and so their peers), so nothing is left in the root namespace.
 */
export class NetnsRegistry {
  private readonly namespaces: Array<string> = []
  private readonly processes: Array<ChildProcess> = []

  constructor() {
    installExitHooks()
    live.add(this)
  }

  /** Creates namespace `name` (loopback up), recording this process as its owner first. */
  add(name: string): string {
    mkdirSync(OWNER_DIR, { recursive: true })
    writeFileSync(join(OWNER_DIR, name), String(process.pid))
    this.namespaces.push(name)
    runCommand(["ip", "netns", "add", name])
    runCommand(["ip", "-n", name, "link", "set", "lo", "up"])
    return name
  }

  /** A process started inside one of our namespaces; it is killed before the namespaces go. */
  track(child: ChildProcess): void {
    this.processes.push(child)
  }

  /** Kills our processes and deletes our namespaces (last created first). Safe to call more than once. */
  teardown(): void {
    for (const p of this.processes.splice(0)) {
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL")
    }
    for (const ns of this.namespaces.splice(0).reverse()) deleteNamespace(ns)
    live.delete(this)
  }
}

const teardownAll = (): void => {
  for (const r of [...live]) r.teardown()
}

const installExitHooks = (): void => {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on("exit", teardownAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      teardownAll()
      process.kill(process.pid, signal)
    })
  }
}

/**
 * Deletes `ksc*` namespaces whose creating process is gone (or unknown): leftovers of a crashed or killed
 * run. Namespaces of live runs — this one or a parallel one — are left alone. Returns the names removed.
 */
export const sweepStaleNamespaces = (): ReadonlyArray<string> => {
  let names: ReadonlyArray<string>
  try {
    names = readdirSync(NETNS_DIR)
  } catch {
    return []
  }
  const removed: Array<string> = []
  for (const name of names) {
    if (!name.startsWith(NETNS_FAMILY)) continue
    let owner = Number.NaN
    try {
      owner = Number(readFileSync(join(OWNER_DIR, name), "utf8").trim())
    } catch {
      // no owner file: not created by a live harness (owner files are written before `ip netns add`)
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue
    deleteNamespace(name)
    removed.push(name)
  }
  return removed
}
