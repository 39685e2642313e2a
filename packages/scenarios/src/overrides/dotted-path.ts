import type { PathSegment } from "../format/yaml-source"

/** A `--set` / variant key that is not a path. */
export class PathSyntaxError extends Error {
  override readonly name = "PathSyntaxError"
}

/**
 * Parses a dotted path into segments: `clients[0].traffic.rate` → ["clients", 0, "traffic", "rate"]. Keys with
 * dots or brackets are quoted in brackets: `cluster.delays["kube-proxy.minSyncPeriod"]`.
 */
export const parseDottedPath = (text: string): PathSegment[] => {
  const out: PathSegment[] = []
  let i = 0
  const fail = (why: string): never => {
    throw new PathSyntaxError(`invalid path ${JSON.stringify(text)} at offset ${i}: ${why} (expected e.g. "clients[0].traffic.rate")`)
  }
  if (text === "") fail("empty path")
  let expectKey = true
  while (i < text.length) {
    const c = text[i]
    if (c === "[") {
      const close = text.indexOf("]", i)
      if (close < 0) fail('unclosed "["')
      const inner = text.slice(i + 1, close)
      if (/^\d+$/.test(inner)) out.push(Number(inner))
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) out.push(JSON.parse(inner) as string)
      else fail(`expected an index or a quoted key in brackets, found ${JSON.stringify(inner)}`)
      i = close + 1
      expectKey = false
    } else if (c === ".") {
      if (expectKey) fail('empty key before "."')
      i++
      expectKey = true
      if (i === text.length) fail('path ends with "."')
    } else {
      if (!expectKey) fail('expected "." or "[" between segments')
      let j = i
      while (j < text.length && text[j] !== "." && text[j] !== "[") j++
      out.push(text.slice(i, j))
      i = j
      expectKey = false
    }
  }
  return out
}
