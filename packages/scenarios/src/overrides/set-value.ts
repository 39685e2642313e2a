import type { PathSegment } from "../format/yaml-source"
import { pathText } from "../format/schema-problems"

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Deep copy of JSON-like data (objects, arrays, scalars). */
export const cloneJson = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T))

/**
 * Returns a copy of `doc` with the value at `path` replaced (missing objects along the way are created; a list
 * index may be at most the list's length, which appends). Throws a RangeError naming the path when a segment
 * does not fit what is there (an index into an object, a key into a list, an index past the end).
 */
export const setAtPath = (doc: unknown, path: ReadonlyArray<PathSegment>, value: unknown): unknown => {
  if (path.length === 0) return cloneJson(value)
  const root = cloneJson(doc ?? {})
  let node: unknown = root
  for (let k = 0; k < path.length; k++) {
    const seg = path[k] as PathSegment
    const last = k === path.length - 1
    const here = pathText(path.slice(0, k)) || "the document"
    if (typeof seg === "number") {
      if (!Array.isArray(node)) throw new RangeError(`${pathText(path)}: ${here} is not a list, so [${seg}] does not apply`)
      if (seg > node.length) throw new RangeError(`${pathText(path)}: index ${seg} is past the end of ${here} (length ${node.length})`)
      if (last) node[seg] = cloneJson(value)
      else {
        if (node[seg] === undefined || node[seg] === null) node[seg] = typeof path[k + 1] === "number" ? [] : {}
        node = node[seg]
      }
    } else {
      if (!isObject(node)) throw new RangeError(`${pathText(path)}: ${here} is not an object, so .${seg} does not apply`)
      if (last) node[seg] = cloneJson(value)
      else {
        if (node[seg] === undefined || node[seg] === null) node[seg] = typeof path[k + 1] === "number" ? [] : {}
        node = node[seg]
      }
    }
  }
  return root
}
