export { type TimedAction, type TimedOperation } from "./timed-action"
export { expandChurn, churnStreamName, sortByTime } from "./expand-churn"
