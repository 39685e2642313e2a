import type { cluster, Nanos } from "@kubesim/core"
import { type GetKind, type GetRequest, renderGet, selectItems, tableRows } from "./get-view"

/**
 * `kubectl get -w` over simulated time: at `from` the listing as `get` prints it, then, at each of the run's
 * progress slices (1/200 of its length), one row per object that appeared, changed or was deleted since the last
 * slice — as kubectl's watch prints rows (no header again, the deleted object's last row). Columns are aligned
 * with the first listing's widths, as kubectl's watch keeps its tabwriter.
 */
export const watchGet = (r: GetRequest, from: Nanos, write: (text: string) => void): ((c: cluster.Cluster, now: Nanos) => void) => {
  let last: Map<string, { row: string[]; key: string }> | undefined
  let widths: number[] = []
  // A row changes when the object does: the columns that only age with the clock (AGE, LAST SEEN) are left out.
  const snapshot = (c: cluster.Cluster): Map<string, { row: string[]; key: string }> => {
    const m = new Map<string, { row: string[]; key: string }>()
    for (const k of r.kinds) {
      const items = selectItems(c.store, c.records.records, { ...r, names: [] }, k).filter((it) => r.names.length === 0 || r.names.includes(it.name))
      const [header = [], ...rows] = tableRows(items, k, c.sim.now, r, r.multi)
      const ageing = new Set(header.flatMap((h, i) => (h === "AGE" || h === "LAST SEEN" ? [i] : [])))
      rows.forEach((row, i) => m.set(`${k}/${items[i]?.namespace ?? ""}/${items[i]?.name ?? ""}`, { row, key: row.filter((_, j) => !ageing.has(j)).join("\t") }))
    }
    return m
  }
  // Columns as wide as the widest cell seen so far plus tabwriter's padding of 3, at least the header's.
  const line = (row: ReadonlyArray<string>): string => {
    if (r.output === "name") return `${row[0]}\n`
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length + 3)))
    return `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("")}\n`
  }
  let headerShown = false
  const emit = (c: cluster.Cluster, row: ReadonlyArray<string>) => {
    if (!headerShown && r.output !== "name") {
      const k = r.kinds[0] as GetKind
      write(line((tableRows([], k, c.sim.now, r, false)[0] ?? []) as string[]))
    }
    headerShown = true
    write(line(row))
  }
  return (c, now) => {
    if (now < from) return
    if (last === undefined) {
      const text = renderGet(c.store, c.records.records, { ...r, names: [] })
      if (!text.startsWith("No resources found")) {
        write(text)
        headerShown = true
        const header = text.split("\n")[0] ?? ""
        // Column starts from the listing's header (its tabwriter's widths).
        const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => m.index ?? 0)
        widths = starts.map((st, i) => (starts[i + 1] ?? st) - st)
      }
      last = snapshot(c)
      return
    }
    const now2 = snapshot(c)
    for (const [id, cur] of now2) if (last.get(id)?.key !== cur.key) emit(c, cur.row)
    for (const [id, gone] of last) if (!now2.has(id)) emit(c, gone.row)
    last = now2
  }
}
