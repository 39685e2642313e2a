import type { ApiStore } from "../store/index"
import { MASTER_SERVICES, serviceEnvVars, type EnvVar } from "../envvars/index"

interface Entry {
  readonly revision: number
  readonly vars: ReadonlyArray<EnvVar>
}

/** Per store: the service variables of each (namespace, enableServiceLinks), with the Service revision they were computed at. */
const caches = new WeakMap<ApiStore, Map<string, Entry>>()

/**
 * `serviceEnvVars` for a container starting now in `namespace` (kubelet_pods.go `getServiceEnvVarMap`), read from
 * the pod's namespace and the master Services only, and shared by every container of every node that starts
 * while no Service has changed: thousands of pods starting against thousands of Services cost one computation
 * per namespace, not one per container. Treat the result as immutable.
 */
export const serviceEnvFor = (store: ApiStore, namespace: string, enableServiceLinks: boolean | undefined): ReadonlyArray<EnvVar> => {
  let cache = caches.get(store)
  if (cache === undefined) {
    cache = new Map()
    caches.set(store, cache)
  }
  const key = `${namespace}\u0000${enableServiceLinks !== false}`
  const revision = store.kindRevision("Service")
  const hit = cache.get(key)
  if (hit !== undefined && hit.revision === revision) return hit.vars
  const services = enableServiceLinks === false ? [] : store.list("Service", { namespace })
  const masters = namespace === "default" && enableServiceLinks !== false ? [] : [...MASTER_SERVICES].flatMap((name) => store.get("Service", "default", name) ?? [])
  const vars = serviceEnvVars([...masters, ...services], namespace, enableServiceLinks)
  cache.set(key, { revision, vars })
  return vars
}
