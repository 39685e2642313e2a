export { type Override, applyOverrides, parseSetArgument, variantOverrides } from "./apply-overrides"
export { PathSyntaxError, parseDottedPath } from "./dotted-path"
export { setAtPath } from "./set-value"
