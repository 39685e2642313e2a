import type { Node } from "../../api/index"
import { milliCpu } from "../../api/quantity"
import {
  OVERLOAD_THRESHOLD,
  allocatedHintsByZone,
  endpointReady,
  givingAndReceivingZones,
  redistributeHints,
  removeHintsFromSlices,
  serviceOverloaded,
  totalReadyEndpoints,
  withZoneHint,
  type Allocation,
  type HintSlice,
  type SliceInfo,
} from "./topology-allocation"

/** topologycache/event.go messages. */
export const NO_ZONE_SPECIFIED = "One or more endpoints do not have a zone specified"
export const NO_ALLOCATED_HINTS_FOR_ZONES = "No hints allocated for zones"
export const TOPOLOGY_AWARE_HINTS_ENABLED = "Topology Aware Hints has been enabled"
export const TOPOLOGY_AWARE_HINTS_DISABLED = "Topology Aware Hints has been disabled"
export const INSUFFICIENT_NODE_INFO = "Insufficient Node information: allocatable CPU or zone not specified on one or more nodes"
export const NODES_READY_IN_ONE_ZONE_ONLY = "Nodes only ready in one zone"
export const INSUFFICIENT_NUMBER_OF_ENDPOINTS = "Insufficient number of endpoints"
export const MIN_ALLOCATION_EXCEEDS_OVERLOAD_THRESHOLD = "Unable to allocate minimum required endpoints to each zone without exceeding overload threshold"

/** The zone label (core/v1 LabelTopologyZone). */
const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone"

/** event.go `EventBuilder`: an Event the controller would publish on the Service. */
export interface HintsEvent {
  readonly type: "Normal" | "Warning"
  readonly reason: "TopologyAwareHintsEnabled" | "TopologyAwareHintsDisabled"
  readonly message: string
}

/** utils.go `FormatWithAddressType` (kubesim's slices are IPv4). */
export const formatWithAddressType = (s: string, addressType = "IPv4"): string => `${s}, addressType: ${addressType}`

const disabled = (message: string): HintsEvent => ({ type: "Warning", reason: "TopologyAwareHintsDisabled", message })

/** topologycache.go `hasExcludedLabels`: control-plane nodes do not count towards a zone's capacity. */
const hasExcludedLabels = (labels: Readonly<Record<string, string>> | undefined): boolean =>
  labels !== undefined && ("node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels)

/**
 * utils.go `isNodeReady`: the Ready condition is True. kubesim's kubelets stand for the Ready status they post by
 * renewing their Lease and write no condition (the node lifecycle controller adds Unknown when they stop), so a
 * Node without a Ready condition counts as ready here, as in the scheduler's filter.
 */
const isNodeReady = (node: Node): boolean => {
  const ready = node.status.conditions?.find((c) => c.type === "Ready")
  return ready === undefined || ready.status === "True"
}

/** `resource.Quantity.MilliValue()` of status.allocatable.cpu; 0 when absent or unparsable (`IsZero`). */
const allocatableMilliCpu = (node: Node): number => {
  const q = node.status.allocatable?.cpu
  if (q === undefined) return 0
  try {
    return milliCpu(q)
  } catch {
    return 0
  }
}

/**
 * The EndpointSlice controller's topology cache (staging/src/k8s.io/endpointslice/topologycache/topologycache.go):
 * each zone's share of the ready nodes' allocatable CPU, and the hints each annotated Service was last given by
 * zone, so a Node change re-syncs the Services it overloads.
 */
export class TopologyCache {
  /** `cpuRatiosByZone`; undefined when node information is insufficient (upstream: nil). */
  private ratios: Map<string, number> | undefined = new Map()
  /** `endpointsByService` (one address type) and `hintsPopulatedByService`. */
  private readonly byService = new Map<string, Map<string, number>>()

  /** The current zone shares (undefined: insufficient node information). */
  get cpuRatiosByZone(): ReadonlyMap<string, number> | undefined {
    return this.ratios
  }

  /**
   * `SetNodes`: ready, non-control-plane nodes' allocatable CPU summed by zone. One such node without a zone label
   * or CPU, no CPU at all, or fewer than two zones leaves no ratios (hints are then removed).
   */
  setNodes(nodes: ReadonlyArray<Node>): void {
    const byZone = new Map<string, number>()
    let sufficient = true
    let total = 0
    for (const node of nodes) {
      if (hasExcludedLabels(node.metadata.labels)) continue
      if (!isNodeReady(node)) continue
      const cpu = allocatableMilliCpu(node)
      const zone = node.metadata.labels?.[LABEL_TOPOLOGY_ZONE] ?? ""
      if (zone === "" || cpu === 0) {
        byZone.clear()
        sufficient = false
        break
      }
      total += cpu
      byZone.set(zone, (byZone.get(zone) ?? 0) + cpu)
    }
    if (total === 0 || !sufficient || byZone.size < 2) {
      this.ratios = undefined
      return
    }
    this.ratios = new Map([...byZone].map(([zone, cpu]) => [zone, cpu / total]))
  }

  /**
   * `getAllocations`: each zone's minimum (ceil(desired / 1.2)), desired (its CPU share of the ready endpoints, at
   * least the minimum) and maximum (minimum plus what the minimums leave over); or the event saying why none can
   * be made.
   */
  getAllocations(numEndpoints: number): { allocations: Map<string, Allocation> } | { event: HintsEvent } {
    const ratios = this.ratios
    if (ratios === undefined) return { event: disabled(INSUFFICIENT_NODE_INFO) }
    if (ratios.size < 2) return { event: disabled(NODES_READY_IN_ONE_ZONE_ONLY) }
    if (ratios.size > numEndpoints) return { event: disabled(`${INSUFFICIENT_NUMBER_OF_ENDPOINTS} (${numEndpoints} endpoints, ${ratios.size} zones)`) }
    let minTotal = 0
    const partial: Array<[string, number, number]> = []
    for (const [zone, ratio] of ratios) {
      const desired = ratio * numEndpoints
      const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)))
      partial.push([zone, minimum, Math.max(desired, minimum)])
      minTotal += minimum
      if (numEndpoints - minTotal < 0) return { event: disabled(`${MIN_ALLOCATION_EXCEEDS_OVERLOAD_THRESHOLD} (${numEndpoints} endpoints, ${ratios.size} zones)`) }
    }
    const allocations = new Map<string, Allocation>()
    for (const [zone, minimum, desired] of partial) allocations.set(zone, { minimum, desired, maximum: minimum + numEndpoints - minTotal })
    return { allocations }
  }

  /**
   * `AddHints`: every ready endpoint hinted for its own zone, then endpoints of zones above their desired share
   * re-hinted for zones below it; unchanged slices keep their hints while still valid. When no allocation is
   * possible, or an endpoint has no zone, hints are removed instead. Mutates `si`; returns the events upstream
   * would publish.
   */
  addHints<S extends HintSlice>(si: SliceInfo<S>): HintsEvent[] {
    const got = this.getAllocations(totalReadyEndpoints(si))
    if ("event" in got) return this.giveUp(si, [{ ...got.event, message: formatWithAddressType(got.event.message) }])
    const allocations = got.allocations
    const allocated = allocatedHintsByZone(si, allocations)
    const allocatable = [...si.toCreate, ...si.toUpdate]
    // Step 1: same-zone hints for every ready endpoint. (Upstream's `endpoint.Hints = nil` for a not-ready one sets
    // a copy, so such endpoints keep what they had.)
    for (const s of allocatable) {
      for (let i = 0; i < s.endpoints.length; i++) {
        const e = s.endpoints[i]!
        if (!endpointReady(e)) continue
        if (e.zone === undefined || e.zone === "") return this.giveUp(si, [disabled(formatWithAddressType(NO_ZONE_SPECIFIED))])
        allocated.set(e.zone, (allocated.get(e.zone) ?? 0) + 1)
        s.endpoints[i] = withZoneHint(e, e.zone)
      }
    }
    // Steps 2 and 3: move hints from zones above their desired share to zones below it.
    const { giving, receiving } = givingAndReceivingZones(allocations, allocated)
    for (const [zone, diff] of redistributeHints(allocatable, giving, receiving)) allocated.set(zone, (allocated.get(zone) ?? 0) + diff)
    if (allocated.size === 0) return this.giveUp(si, [disabled(formatWithAddressType(NO_ALLOCATED_HINTS_FOR_ZONES))])
    const wasEnabled = this.byService.has(si.serviceKey)
    this.byService.set(si.serviceKey, allocated)
    return wasEnabled ? [] : [{ type: "Normal", reason: "TopologyAwareHintsEnabled", message: formatWithAddressType(TOPOLOGY_AWARE_HINTS_ENABLED) }]
  }

  private giveUp<S extends HintSlice>(si: SliceInfo<S>, events: HintsEvent[]): HintsEvent[] {
    this.removeHints(si.serviceKey)
    removeHintsFromSlices(si)
    return events
  }

  /** `HasPopulatedHints`. */
  hasPopulatedHints(serviceKey: string): boolean {
    return this.byService.has(serviceKey)
  }

  /** `RemoveHints`. */
  removeHints(serviceKey: string): void {
    this.byService.delete(serviceKey)
  }

  /** `GetOverloadedServices`: hinted Services some zone no longer has its minimum share of (in key order). */
  overloadedServices(): string[] {
    const out: string[] = []
    for (const [key, byZone] of this.byService) if (serviceOverloaded(byZone, this.ratios ?? new Map())) out.push(key)
    return out.sort()
  }
}
