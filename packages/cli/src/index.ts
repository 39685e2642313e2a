// The CLI package's public face: the command tree, for tests and embedding.
export { kubesim, KUBESIM_VERSION } from "./cli"
export { UserInputError, InternalError, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED } from "./errors"
