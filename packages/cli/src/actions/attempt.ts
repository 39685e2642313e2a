import { Effect } from "effect"
import { InternalError, UserInputError } from "../errors"
import { describeError } from "../execute/describe-error"

/** What a thrown error becomes: the user's mistakes a UserInputError (exit 1), anything else an InternalError (exit 70). */
export const classify = (e: unknown): UserInputError | InternalError => {
  const d = describeError(e)
  const fields = { message: d.message, ...(d.detail !== undefined ? { detail: d.detail } : {}) }
  return d.userError ? new UserInputError(fields) : new InternalError(fields)
}

/**
 * Runs synchronous work that may throw; the user's mistakes become UserInputError (exit 1, message only), anything
 * else InternalError (exit 70: the failure's report; `--verbose` adds the stack).
 */
export const attempt = <A>(f: () => A): Effect.Effect<A, UserInputError | InternalError> => Effect.try({ try: f, catch: classify })

/** The same for async work. */
export const attemptPromise = <A>(f: () => Promise<A>): Effect.Effect<A, UserInputError | InternalError> => Effect.tryPromise({ try: f, catch: classify })
