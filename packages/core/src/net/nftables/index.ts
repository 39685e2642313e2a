export type {
  NftHook,
  NftChainType,
  NftBaseSpec,
  NftCounter,
  NftType,
  NftVerdict,
  NftKeyPart,
  NftElement,
  NftSet,
  NftSelector,
  NftRhs,
  NftStatement,
  NftRejectWith,
  NftRule,
  NftChain,
  NftTable,
} from "./model"
export { effectiveSize } from "./model"
export { NftRuleset } from "./ruleset"
export { NftError, NftEvalError } from "./errors"
export { applyNft, type ApplyNftOptions, type NftApplyResult } from "./apply"
export { evaluateNftChain, type NftEvalContext, type NftChainVerdict } from "./evaluate"
export { renderNftRuleset, renderNftTable, ruleText, statementText, sortedElements } from "./render"
export { dumpNftCommands } from "./render-commands"
export { formatPriority, parsePriority } from "./priority"
export { formatNftTime, parseNftTime } from "./values"
