import type { Kind, LabelSelector, ObjectOfKind } from "../api/index"
import type { Nanos } from "../../sim/index"

/** apimachinery/pkg/watch `EventType` (BOOKMARK and ERROR are not produced). */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED"

export interface WatchEvent<K extends Kind = Kind> {
  readonly type: WatchEventType
  /** The object after the change; for DELETED, its last state (with the deletion's resourceVersion). */
  readonly object: ObjectOfKind<K>
}

export interface WatchOptions {
  /** Only objects in this namespace (cluster-scoped kinds ignore it). */
  readonly namespace?: string
  /**
   * Only objects whose labels match. As the API server's filtered watch (storage/cacher `watchFilterFunc`): an object
   * that starts matching arrives as ADDED, one that stops matching as DELETED.
   */
  readonly labelSelector?: LabelSelector
  /**
   * Pods only: the field selector `spec.nodeName=<node>` the kubelet watches with (pkg/kubelet/config/apiserver.go
   * `NewSourceApiserver`). A pod arrives as ADDED when bound to the node; unbound pods and other nodes' never.
   */
  readonly nodeName?: string
  /** How long after the write each event reaches this watcher; default 0 (delivered as a later event at the same instant). */
  readonly delay?: Nanos
  /** Deliver ADDED for every matching object already stored (an informer's initial list), before any change. */
  readonly sendInitialEvents?: boolean
}

/** A running watch; `stop` drops everything not yet delivered. */
export interface Watch {
  readonly kind: Kind
  stop(): void
  readonly stopped: boolean
}
