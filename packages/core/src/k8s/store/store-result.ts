import { type FieldError, formatFieldError, infoOf, type Kind } from "../api/index"

/** What a write did: kubectl's `created`, `configured`, `unchanged`, `deleted` (or graceful deletion begun). */
export type WriteAction = "created" | "configured" | "unchanged" | "deleted" | "terminating"

export type StoreFailureReason = "Invalid" | "NotFound" | "AlreadyExists" | "Conflict"

export interface StoreSuccess<T> {
  readonly ok: true
  readonly action: WriteAction
  readonly object: T
}

export interface StoreFailure {
  readonly ok: false
  readonly reason: StoreFailureReason
  /** As kubectl prints it (without the `Error from server (Reason): ` prefix). */
  readonly message: string
  readonly errors: ReadonlyArray<FieldError>
}

export type StoreResult<T> = StoreSuccess<T> | StoreFailure

/** `The Service "x" is invalid: …`, one cause inline or several as `* cause` lines (kubectl `MultilineError`). */
export const invalidMessage = (kind: string, name: string, errors: ReadonlyArray<FieldError>): string => {
  const head = `The ${kind} ${JSON.stringify(name)} is invalid: `
  if (errors.length === 1) return head + formatFieldError(errors[0] as FieldError)
  return `${head.trimEnd()}\n${errors.map((e) => `* ${formatFieldError(e)}`).join("\n")}`
}

/** apimachinery/pkg/api/errors/errors.go `NewNotFound`: `pods "web-1" not found`. */
export const notFound = (kind: Kind, name: string): StoreFailure => ({
  ok: false,
  reason: "NotFound",
  message: `${infoOf(kind).resource} ${JSON.stringify(name)} not found`,
  errors: [],
})

/** errors.go `NewAlreadyExists`. */
export const alreadyExists = (kind: Kind, name: string): StoreFailure => ({
  ok: false,
  reason: "AlreadyExists",
  message: `${infoOf(kind).resource} ${JSON.stringify(name)} already exists`,
  errors: [],
})

/** errors.go `NewConflict` with the storage layer's `OptimisticLockErrorMsg`. */
export const conflict = (kind: Kind, name: string): StoreFailure => ({
  ok: false,
  reason: "Conflict",
  message: `Operation cannot be fulfilled on ${infoOf(kind).resource} ${JSON.stringify(name)}: the object has been modified; please apply your changes to the latest version and try again`,
  errors: [],
})

export const invalid = (kind: Kind, name: string, errors: ReadonlyArray<FieldError>): StoreFailure => ({
  ok: false,
  reason: "Invalid",
  message: invalidMessage(kind, name, errors),
  errors,
})
