// Everything this package takes from kubesim's core, in one place (the core package's public face).
import { nodeProxy, proxy } from "@kubesim/core"

export const IptablesProxier = proxy.IptablesProxier
export type IptablesProxier = proxy.IptablesProxier
export type IptablesRuleSink = proxy.IptablesRuleSink
export type JumpRule = proxy.JumpRule
export const NodeRuleset = nodeProxy.NodeRuleset
export const setupNodeConntrack = nodeProxy.setupNodeConntrack
export const applyKubeProxyConntrack = proxy.applyKubeProxyConntrack
export const DEFAULT_KUBE_PROXY_CONNTRACK = proxy.DEFAULT_KUBE_PROXY_CONNTRACK
export type NodeConntrackSysctls = proxy.NodeConntrackSysctls
