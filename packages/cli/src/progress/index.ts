export { ProgressBar, formatEta, formatRate, type ProgressBarOptions, type ProgressSink } from "./progress-bar"
export { RateEstimate } from "./rate-estimate"
