import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml"

export type PathSegment = string | number
export interface TextPosition {
  readonly line: number
  readonly column: number
}

/** A scenario file parsed: its JSON value, syntax errors, and a locator from field paths to positions. */
export interface YamlSource {
  readonly value: unknown
  readonly errors: ReadonlyArray<{ readonly message: string; readonly line: number; readonly column: number }>
  /** Position of a field path, or of the deepest prefix of it present in the text. */
  readonly locate: (path: ReadonlyArray<PathSegment>) => TextPosition | undefined
}

/**
 * Parses one YAML document (YAML 1.2, the `yaml` package's default: `yes` stays a string in a scenario). A
 * second document is an error: a scenario is one object.
 */
export const parseYamlSource = (text: string): YamlSource => {
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true })
  const pos = (offset: number): TextPosition => {
    const p = lc.linePos(offset)
    return { line: p.line, column: p.col }
  }
  const list = Array.isArray(docs) ? docs : []
  const doc = list[0]
  if (doc === undefined) return { value: undefined, errors: [], locate: () => undefined }
  const errors: Array<{ message: string; line: number; column: number }> = []
  for (const e of doc.errors.slice(0, 1)) {
    const lp = e.linePos?.[0]
    errors.push({ message: (e.message.split("\n")[0] as string).replace(/ at line \d+, column \d+:?$/, ""), line: lp?.line ?? 1, column: lp?.col ?? 1 })
  }
  const second = list[1]
  if (second !== undefined) errors.push({ message: "a scenario file holds one YAML document; found a second one", ...pos(second.range[0]) })
  let value: unknown = undefined
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 })
    } catch (e) {
      errors.push({ message: e instanceof Error ? e.message : String(e), ...pos(doc.range[0]) })
    }
  }
  const contents = doc.contents as Node | null
  const locate = (path: ReadonlyArray<PathSegment>): TextPosition | undefined => {
    let node: unknown = contents
    let at = contents === null ? undefined : pos(contents.range?.[0] ?? 0)
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
        if (pair === undefined) break
        const key = pair.key as Node
        if (key.range) at = pos(key.range[0])
        node = pair.value
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined
        if (item === undefined) break
        if (item.range) at = pos(item.range[0])
        node = item
      } else break
    }
    return at
  }
  return { value, errors, locate }
}
