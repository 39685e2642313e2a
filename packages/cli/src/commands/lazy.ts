import * as Effect from "effect/Effect"

/**
 * A command handler whose work lives in a module loaded only when the command runs, so `kubesim --help` (and every
 * other command) does not load the simulator, the report renderer and vega. A module that fails to load is a
 * defect (an internal error), as a failed static import would have been.
 */
export const lazy = <M, A, E, R>(load: () => Promise<M>, use: (m: M) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.promise(() => load()),
    use,
  )
