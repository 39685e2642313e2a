import type { RecordLog } from "../../../records/index"
import type { Nanos } from "../../../sim/index"
import type { ControllerDelay } from "./delay"

/** What a plain queue-driven controller is configured with. */
export interface ControllerConfig {
  /** Informer lag: how long after a write the controller's watches see it. Default 0. */
  readonly watchDelay?: Nanos
  /** Processing time of one sync by the single worker (keys wait FIFO behind it). Default uniform 1–5 ms. */
  readonly syncDelay?: ControllerDelay
  /** Where `action` records go. */
  readonly log?: RecordLog
}
