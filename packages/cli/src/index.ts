// The CLI package's public face: the command tree, for tests and embedding.
export { kubesim, KUBESIM_VERSION } from "./cli"
export { UserInputError, EXIT_INPUT, EXIT_USAGE } from "./errors"
