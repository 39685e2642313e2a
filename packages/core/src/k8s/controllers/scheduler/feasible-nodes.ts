/**
 * How many feasible nodes a scheduling cycle looks for before it stops filtering (pkg/scheduler/schedule_one.go
 * `numFeasibleNodesToFind`, `percentageOfNodesToScore` unset = 0, the default): every node below
 * `minFeasibleNodesToFind` (100); above it an adaptive percentage `50 − nodes/125`, at least
 * `minFeasibleNodesPercentageToFind` (5 %), and never fewer than 100 nodes. 1,000 nodes → 420, 5,000 → 500.
 */
export const MIN_FEASIBLE_NODES_TO_FIND = 100
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5

export const numFeasibleNodesToFind = (numAllNodes: number, percentageOfNodesToScore = 0): number => {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) return numAllNodes
  let percentage = percentageOfNodesToScore
  if (percentage <= 0) {
    // Go's int32 division truncates toward zero.
    percentage = 50 - Math.trunc(numAllNodes / 125)
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100)
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes
}
