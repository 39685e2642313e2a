export * from "./time"
export { DurationParseError, parseDuration, formatDuration } from "./duration"
export { type Rng, makeRng, streamSeed, RngStreams } from "./rng"
export { SimulationError, rootCause } from "./simulation-error"
export { Simulation, type EventKind, type EventId, type RunOptions, type RunResult, type RunStop } from "./simulation"
export {
  Process,
  Signal,
  Until,
  Interrupt,
  ProcessError,
  until,
  sleep,
  type ProcessBody,
  type ProcessState,
  type Yieldable,
} from "./process"
export { hashName } from "./trace-hash"
export { mm1Callbacks, mm1Processes, type Mm1Options, type Mm1Result } from "./examples/mm1"
