export { LIBRARY_DIR, builtinScenarioNames, builtinScenarioPath, loadBuiltinScenario } from "./builtin-library"
