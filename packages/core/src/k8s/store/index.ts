export { ApiStore, type Admission, type ApiStoreOptions, type DeleteOptions, type GracefulDeletionHook, type ListOptions, type UpdateOptions } from "./api-store"
export type { Watch, WatchEvent, WatchEventType, WatchOptions } from "./watch"
export { type StoreResult, type StoreSuccess, type StoreFailure, type StoreFailureReason, type WriteAction, invalidMessage } from "./store-result"
export { uuidV4, generateName } from "./uid"
export { mergeApplied } from "./apply-merge"
export { type IndexFunc, type SumFunc, byNamespaceThenName } from "./kind-index"
export {
  INDEX_CONTROLLER_UID,
  INDEX_POD_IP,
  INDEX_POD_NODE,
  INDEX_SERVICE_IP,
  INDEX_SERVICE_NODE_PORT,
  INDEX_SERVICE_SELECTOR,
  INDEX_SLICE_POD,
} from "./indexers"
