/**
 * Column alignment as kubectl's table printer does it: Go's text/tabwriter with minwidth 6, padding 3, pad
 * character ' ' (staging/src/k8s.io/cli-runtime/pkg/printers/tabwriter.go `GetNewTabWriter`). Every cell but the
 * last of a row is padded to its column's width = max(6, widest cell + 3); the last cell is written as is.
 * Rows of one table form one column block (a blank line between tables ends it, as in `kubectl get all`).
 */
export const TABWRITER_MIN_WIDTH = 6
export const TABWRITER_PADDING = 3

export const renderTable = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths: number[] = []
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      const w = Math.max(TABWRITER_MIN_WIDTH, (row[i] as string).length + TABWRITER_PADDING)
      if (w > (widths[i] ?? 0)) widths[i] = w
    }
  }
  let out = ""
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const cell = row[i] as string
      out += i < row.length - 1 ? cell.padEnd(widths[i] as number) : cell
    }
    out += "\n"
  }
  return out
}
