import { existsSync, readdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"

/**
 * Ctrl-C for long batches: the first SIGINT asks to stop (no new work is started; running work finishes and is
 * kept), the second abandons running work. `dispose` restores Node's default handling.
 */
export class Interrupt {
  requested = false
  private count = 0
  private readonly handler = () => {
    this.count++
    this.requested = true
    if (this.count === 1) this.onFirst()
    else this.onSecond()
  }

  constructor(
    private readonly onFirst: () => void,
    private readonly onSecond: () => void,
  ) {
    process.on("SIGINT", this.handler)
  }

  dispose(): void {
    process.off("SIGINT", this.handler)
  }
}

/**
 * Removes the hidden temporary directories this process left under `root` (run directories being written when
 * their worker was abandoned): names starting with "." that carry `-<pid>-`, as the run-dir writers name them.
 */
export const removeOwnTemporaries = (root: string, pid = process.pid): number => {
  if (!existsSync(root)) return 0
  let n = 0
  for (const name of readdirSync(root)) {
    const p = join(root, name)
    if (name.startsWith(".") && name.includes(`-${pid}-`)) {
      rmSync(p, { recursive: true, force: true })
      n++
    } else if (!name.startsWith(".") && statSync(p).isDirectory()) n += removeOwnTemporaries(p, pid)
  }
  return n
}
