export { type PreparedScenario, type PrepareOptions, type DecodedObjects, prepareScenario, formatSelector } from "./prepare-scenario"
export { type ScenarioNode, scenarioNodes, kindWorkerName, DEFAULT_NODE_COUNT } from "./cluster-nodes"
