import { RecordLog } from "../../records/record-log"
import { mm1Callbacks, mm1Processes } from "../examples/mm1"

export interface RunFingerprint {
  readonly callbacksHash: string
  readonly processesHash: string
  readonly meanWait: number
  readonly records: string
}

/**
 * What must not depend on the thread or process a run happens in: both M/M/1 versions' trace hashes and
 * mean waits, and the records a run writes (a phase record and the run-end line, with the hash).
 */
export const runFingerprint = (seed: number, customers: number): RunFingerprint => {
  const cb = mm1Callbacks({ customers, seed })
  const pr = mm1Processes({ customers, seed })
  const log = new RecordLog()
  log.append({ kind: "phase", t: 0, name: `mm1 seed ${seed}` })
  log.append({ kind: "run-end", t: cb.endTime, events: cb.kernelEvents, traceHash: cb.traceHash })
  log.append({ kind: "run-end", t: pr.endTime, events: pr.kernelEvents, traceHash: pr.traceHash })
  return { callbacksHash: cb.traceHash, processesHash: pr.traceHash, meanWait: cb.meanWait, records: log.toJsonl() }
}
