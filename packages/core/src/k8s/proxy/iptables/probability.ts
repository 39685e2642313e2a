import { kubeProxyProbability } from "../../../net/index"

/**
 * Cache of rule i's probability text `%0.10f` of 1/n (proxier.go precomputedProbabilities over
 * computeProbability). The formatting itself is netfilter's `kubeProxyProbability` — one Go-exact
 * implementation, shared with the kernel side's tests.
 */
export class ProbabilityCache {
  private readonly values: string[] = ["<bad value>"]
  get(n: number): string {
    for (let i = this.values.length; i <= n; i++) this.values.push(kubeProxyProbability(i))
    return this.values[n] as string
  }
}
