import type { RecordLog } from "../../../records/index"
import type { Nanos } from "../../../sim/index"

/** Appends an `action` record (docs/records.md): `object` is `Kind namespace/name` (or `Kind name` for cluster-scoped kinds). */
export const recordAction = (
  log: RecordLog | undefined,
  t: Nanos,
  actor: string,
  verb: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  detail: string | null = null,
): void => {
  if (log === undefined) return
  log.append({ kind: "action", t, actor, verb, object: namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`, detail })
}
