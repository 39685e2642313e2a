import * as Effect from "effect/Effect"

let started = false

/** True once a command's handler runs: what @effect/cli printed before that was a parse error (run-cli.ts). */
export const handlerStarted = (): boolean => started

/**
 * A command handler whose work lives in a module loaded only when the command runs, so `kubesim --help` (and every
 * other command) does not load the simulator, the report renderer and vega. A module that fails to load is a
 * defect (an internal error), as a failed static import would have been.
 */
export const lazy = <M, A, E, R>(load: () => Promise<M>, use: (m: M) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.promise(() => {
      started = true
      return load()
    }),
    use,
  )
