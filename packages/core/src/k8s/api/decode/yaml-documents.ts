import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml"

/** One YAML document of a file: its JSON value (or why it has none) and a locator for field paths. */
export interface YamlDocument {
  /** 1-based index in the file. */
  readonly index: number
  /** Line of the document's first content (1-based). */
  readonly line: number
  /** Empty documents (only comments or `---`) are skipped, as kubectl does. */
  readonly empty: boolean
  readonly value: unknown
  /** Syntax errors, with their 1-based position. */
  readonly errors: ReadonlyArray<{ readonly message: string; readonly line: number; readonly column: number }>
  /** Position of a field path (segments), or of the deepest prefix of it present in the text. */
  readonly locate: (segments: ReadonlyArray<string | number>) => { line: number; column: number } | undefined
}

// YAML 1.1 as Kubernetes reads it (sigs.k8s.io/yaml over go-yaml v2): yes/no/on/off are booleans, 0777 octal,
// `<<` merges; timestamps stay strings (go-yaml only makes a time.Time when the target field is one).
const customTags = (tags: ReadonlyArray<unknown>) =>
  tags.filter((t) => (t as { tag?: string }).tag !== "tag:yaml.org,2002:timestamp") as never

/** Parses a multi-document YAML text; never throws. */
export const parseYamlDocuments = (text: string): YamlDocument[] => {
  const lc = new LineCounter()
  let docs: Document.Parsed[]
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, version: "1.1", customTags, merge: true, uniqueKeys: true }) as Document.Parsed[]
  } catch (e) {
    return [{ index: 1, line: 1, empty: false, value: undefined, errors: [{ message: String(e), line: 1, column: 1 }], locate: () => undefined }]
  }
  if (!Array.isArray(docs)) return []
  const pos = (offset: number) => {
    const p = lc.linePos(offset)
    return { line: p.line, column: p.col }
  }
  return docs.map((doc, i): YamlDocument => {
    // Like go-yaml, report the first syntax error of a document; later ones are usually its echoes.
    const errors = doc.errors.slice(0, 1).map((e) => {
      const lp = e.linePos?.[0]
      const message = (e.message.split("\n")[0] as string).replace(/ at line \d+, column \d+:?$/, "")
      return { message, line: lp?.line ?? 1, column: lp?.col ?? 1 }
    })
    const contents = doc.contents as Node | null
    const empty = contents === null || (isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1])
    let value: unknown = undefined
    if (errors.length === 0 && !empty) {
      try {
        value = doc.toJS({ maxAliasCount: 100 })
      } catch (e) {
        errors.push({ message: e instanceof Error ? e.message : String(e), line: pos(doc.range[0]).line, column: 1 })
      }
    }
    const locate = (segments: ReadonlyArray<string | number>) => {
      let node: unknown = contents
      let at = contents === null ? undefined : pos((contents as Node).range?.[0] ?? 0)
      for (const seg of segments) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
          if (pair === undefined) break
          const key = pair.key as Node
          if (key.range !== undefined && key.range !== null) at = pos(key.range[0])
          node = pair.value
        } else if (isSeq(node) && typeof seg === "number") {
          const item = node.items[seg] as Node | undefined
          if (item === undefined) break
          if (item.range !== undefined && item.range !== null) at = pos(item.range[0])
          node = item
        } else break
      }
      return at
    }
    return { index: i + 1, line: pos(doc.range[0]).line, empty, value, errors, locate }
  })
}
