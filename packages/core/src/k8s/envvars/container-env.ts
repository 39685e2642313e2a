import type { EnvVar } from "./service-env-vars"

/**
 * kubernetes `third_party/forked/golang/expansion/expand.go` `Expand`: `$(VAR)` becomes VAR's value when
 * defined, `$$` becomes `$`, and anything else (an undefined or unterminated reference) stays as written.
 */
export const expandEnvReferences = (input: string, lookup: (name: string) => string | undefined): string => {
  let out = ""
  let i = 0
  while (i < input.length) {
    const c = input[i] as string
    if (c !== "$" || i + 1 >= input.length) {
      out += c
      i++
      continue
    }
    const next = input[i + 1] as string
    if (next === "$") {
      out += "$"
      i += 2
      continue
    }
    if (next === "(") {
      const close = input.indexOf(")", i + 2)
      if (close < 0) {
        out += input.slice(i)
        break
      }
      const name = input.slice(i + 2, close)
      const value = lookup(name)
      out += value === undefined ? `$(${name})` : value
      i = close + 1
      continue
    }
    out += c
    i++
  }
  return out
}

/**
 * A container's environment (kubernetes `pkg/kubelet/kubelet_pods.go` `makeEnvironmentVariables`): the
 * container's own `env`, each value expanded against the variables declared before it and the service
 * variables, then the service variables the container did not declare itself. Upstream puts the declared
 * variables in a map (`tmpEnv`) and the service variables in another (`getServiceEnvVarMap`) and appends each
 * with `for k, v := range` — Go randomises map iteration, so on a real node only "declared before service" is
 * fixed; the order inside each group changes from one container start to the next. kubesim keeps that split
 * and fixes the rest: declared variables in declaration order, service variables in `serviceEnvVars` order
 * (Services by name, `FromServices` order within one). What a shell then shows is reordered again by the
 * shell: see `ashEnvironmentOrder` for busybox `sh`, which is deterministic and is what the seed shows.
 */
export const containerEnvironment = (containerEnv: ReadonlyArray<EnvVar>, serviceEnv: ReadonlyArray<EnvVar>): EnvVar[] => {
  // Service variables are kept as the (shared, immutable) objects given: thousands of pods started against
  // thousands of Services then hold references, not copies.
  const values = new Map<string, EnvVar>()
  const service = new Map<string, string>()
  for (const v of serviceEnv) service.set(v.name, v.value)
  const lookup = (name: string): string | undefined => values.get(name)?.value ?? service.get(name)
  for (const v of containerEnv) values.set(v.name, { name: v.name, value: expandEnvReferences(v.value, lookup) })
  for (const v of serviceEnv) if (!values.has(v.name)) values.set(v.name, v)
  return [...values.values()]
}

/** What `env` prints: one `NAME=value` line per variable, in the environment's order. */
export const formatEnv = (vars: ReadonlyArray<EnvVar>): string => vars.map((v) => `${v.name}=${v.value}\n`).join("")
