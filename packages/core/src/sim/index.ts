export * from "./time"
export { type Rng, makeRng, streamSeed, RngStreams } from "./rng"
export { Simulation, type EventKind, type EventId, type RunOptions, type RunStop } from "./simulation"
export { hashName } from "./trace-hash"
