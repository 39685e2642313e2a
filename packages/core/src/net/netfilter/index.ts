export {
  type TableName,
  type Hook,
  type Policy,
  type Counters,
  type AddrSpec,
  type IfaceSpec,
  type ProtoSpec,
  type PortRange,
  type Match,
  type RecentMatch,
  type RecentCommand,
  type UnknownMatch,
  type RejectWith,
  type NatRange,
  type Target,
  type Rule,
  type Chain,
  type Table,
  BUILTIN_CHAINS,
  TABLE_ORDER,
  newChain,
  newTable,
  rule,
  isBuiltinChain,
} from "./model"
export {
  type PacketMeta,
  type EvalContext,
  type Verdict,
  type VerdictKind,
  type NatAction,
  type RuleRef,
  type RuleTracer,
  packetMeta,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  PROTO_SCTP,
  CT_INVALID,
  CT_NEW,
  CT_ESTABLISHED,
  CT_RELATED,
  CT_UNTRACKED,
  CT_SNAT,
  CT_DNAT,
  type IpvsProperty,
} from "./packet"
export { Ruleset } from "./ruleset"
export { IpSet, IpSets, IpSetError, IPSET_TYPES, type IpSetType } from "./ipset"
export { RecentTables, RecentTable, RecentEntry, type RecentOptions } from "./recent"
export { probabilityThreshold, thresholdProbability, formatThreshold, kubeProxyProbability } from "./statistic"
export { formatFixed } from "./format-fixed"
export { IptablesParseError, NetfilterEvalError } from "./errors"
export { evaluateHook, ruleMatches } from "./evaluate"
export {
  type RestorePayload,
  type RestoreSection,
  type RestoreCommand,
  type RestoreOptions,
  type RenderRestoreOptions,
  parseRestore,
  renderPayload,
  applyRestore,
  applyPayload,
  renderRestore,
} from "./restore"
export { type RenderSaveOptions, renderSave, parseSave } from "./save"
export { renderRuleSave, renderMatch, renderTarget } from "./render-rule"
export { parseRule } from "./parse-rule-text"
export { chainIndex, MIN_INDEXED_CHAIN } from "./compile"
export { RuleParseCache } from "./rule-cache"
export { TableShareCache, isSharedMap, chainNamesOf, type ChainNames } from "./shared-tables"
