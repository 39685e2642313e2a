import { parse, View } from "vega"
import { compile } from "vega-lite"
import type { TopLevelSpec } from "vega-lite"

/**
 * Renders a Vega-Lite spec to an SVG string in Node: compile to Vega, run a headless View (renderer "none",
 * no canvas needed) and serialise the scenegraph. Equal specs give equal bytes.
 */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new View(parse(compile(spec).spec), { renderer: "none" })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
