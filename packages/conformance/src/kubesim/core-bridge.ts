// Everything this package takes from kubesim's core, in one place (the core package's public face).
import { proxy } from "@kubesim/core"

export const IptablesProxier = proxy.IptablesProxier
export type IptablesProxier = proxy.IptablesProxier
export type IptablesRuleSink = proxy.IptablesRuleSink
export type JumpRule = proxy.JumpRule
export const NftablesProxier = proxy.NftablesProxier
export type NftablesProxier = proxy.NftablesProxier
