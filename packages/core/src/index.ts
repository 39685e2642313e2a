export * from "./sim/index"
