import { readdirSync } from "node:fs"

/** Where `ip netns add` puts its named namespaces (iproute2 `NETNS_RUN_DIR`). */
export const NETNS_DIR = "/var/run/netns"

/** Every namespace this suite creates starts with this; the sweeper only ever touches these. */
export const NETNS_FAMILY = "ksc"

let counter = 0

const existingNamespaces = (): ReadonlyArray<string> => {
  try {
    return readdirSync(NETNS_DIR)
  } catch {
    return []
  }
}

/**
 * A fresh prefix `ksc<pid % 10000><counter>` for one harness (a topology): names built from it stay within
 * Linux's 15-character interface-name limit and do not collide with parallel runs — a prefix some live
 * namespace already uses (another process whose pid has the same last four digits) is skipped.
 */
export const nextRunPrefix = (): string => {
  const taken = existingNamespaces()
  for (;;) {
    const prefix = `${NETNS_FAMILY}${process.pid % 10000}${(counter++).toString(36)}`
    if (!taken.some((n) => n.startsWith(`${prefix}-`))) return prefix
  }
}
