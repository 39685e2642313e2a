import { Effect } from "effect"
import { UserInputError } from "../errors"
import { describeError } from "../execute/describe-error"

/**
 * Runs synchronous work that may throw; the user's mistakes become UserInputError (exit 1, message only), anything
 * else stays a defect (the entry prints it as an internal error).
 */
export const attempt = <A>(f: () => A): Effect.Effect<A, UserInputError> =>
  Effect.try({ try: f, catch: (e) => e }).pipe(
    Effect.catchAll((e) => {
      const d = describeError(e)
      return d.userError ? Effect.fail(new UserInputError({ message: d.message, ...(d.detail !== undefined ? { detail: d.detail } : {}) })) : Effect.die(e)
    }),
  )

/** The same for async work. */
export const attemptPromise = <A>(f: () => Promise<A>): Effect.Effect<A, UserInputError> =>
  Effect.tryPromise({ try: f, catch: (e) => e }).pipe(
    Effect.catchAll((e) => {
      const d = describeError(e)
      return d.userError ? Effect.fail(new UserInputError({ message: d.message, ...(d.detail !== undefined ? { detail: d.detail } : {}) })) : Effect.die(e)
    }),
  )
