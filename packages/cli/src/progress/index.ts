export { ProgressBar, formatEta, formatRate, type ProgressBarOptions, type ProgressSink } from "./progress-bar"
