import type { Endpoint } from "../../api/index"

/**
 * The pure parts of the topology-aware hints allocation (staging/src/k8s.io/endpointslice/topologycache/utils.go
 * and sliceinfo.go), over slices as the reconciler holds them: an array of endpoints that may be replaced in place.
 *
 * Upstream walks Go maps in random order where several zones tie (getMost) or several could receive an endpoint
 * (redistributeHints); kubesim takes zones in name order there, so a run is reproducible.
 */

/** topologycache.go `overloadThreshold`: the most overload any single endpoint should be exposed to. */
export const OVERLOAD_THRESHOLD = 0.2

/** One zone's share of a Service's ready endpoints (topologycache.go `allocation`). */
export interface Allocation {
  readonly minimum: number
  readonly maximum: number
  readonly desired: number
}

/** A slice being reconciled: its endpoints, replaced one by one when hints change. */
export interface HintSlice {
  endpoints: Endpoint[]
}

/** sliceinfo.go `SliceInfo` (one address type: kubesim's slices are all IPv4). */
export interface SliceInfo<S extends HintSlice = HintSlice> {
  readonly serviceKey: string
  toCreate: S[]
  toUpdate: S[]
  unchanged: S[]
}

/** utils.go `EndpointReady`: the Ready condition is set and true. */
export const endpointReady = (e: Endpoint): boolean => e.conditions.ready === true

/** An endpoint hinted for one zone. */
export const withZoneHint = (e: Endpoint, zone: string): Endpoint => ({ ...e, hints: { forZones: [{ name: zone }] } })

const withoutHints = (e: Endpoint): Endpoint => {
  if (e.hints === undefined) return e
  const { hints: _, ...rest } = e
  return rest
}

/** Zone names in a fixed order (upstream: map order). */
const zonesOf = <V>(m: ReadonlyMap<string, V>): string[] => [...m.keys()].sort()

/** sliceinfo.go `getTotalReadyEndpoints`: ready endpoints over slices to create, to update and unchanged. */
export const totalReadyEndpoints = (si: SliceInfo): number => {
  let n = 0
  for (const list of [si.toCreate, si.toUpdate, si.unchanged]) for (const s of list) for (const e of s.endpoints) if (endpointReady(e)) n++
  return n
}

/**
 * utils.go `RemoveHintsFromSlices`: hints dropped from every slice to create or update; an unchanged slice with
 * any hint loses them and becomes an update.
 */
export const removeHintsFromSlices = <S extends HintSlice>(si: SliceInfo<S>): void => {
  for (const s of [...si.toCreate, ...si.toUpdate]) s.endpoints = s.endpoints.map(withoutHints)
  const still: S[] = []
  for (const s of si.unchanged) {
    if (s.endpoints.some((e) => e.hints !== undefined)) {
      s.endpoints = s.endpoints.map(withoutHints)
      si.toUpdate.push(s)
    } else still.push(s)
  }
  si.unchanged = still
}

/**
 * utils.go `getHintsByZone`: the hints an unchanged slice gives each zone, or undefined when they are no longer
 * valid — a ready endpoint without zone hints, a hint for a zone with no allocation, or a zone pushed above its
 * maximum.
 */
export const hintsByZone = (s: HintSlice, allocated: ReadonlyMap<string, number>, allocations: ReadonlyMap<string, Allocation>): Map<string, number> | undefined => {
  const out = new Map<string, number>()
  for (const e of s.endpoints) {
    if (!endpointReady(e)) continue
    const forZones = e.hints?.forZones ?? []
    if (forZones.length === 0) return undefined
    for (const z of forZones) {
      if (!allocations.has(z.name)) return undefined
      out.set(z.name, (out.get(z.name) ?? 0) + 1)
    }
  }
  for (const [zone, n] of out) {
    const a = allocations.get(zone)
    if (a === undefined || n + (allocated.get(zone) ?? 0) > a.maximum) return undefined
  }
  return out
}

/**
 * sliceinfo.go `getAllocatedHintsByZone`: the hints unchanged slices already give each zone; an unchanged slice
 * whose hints are out of date moves to the updates (its endpoints are re-hinted there).
 */
export const allocatedHintsByZone = <S extends HintSlice>(si: SliceInfo<S>, allocations: ReadonlyMap<string, Allocation>): Map<string, number> => {
  const allocated = new Map<string, number>()
  const still: S[] = []
  for (const s of si.unchanged) {
    const byZone = hintsByZone(s, allocated, allocations)
    if (byZone === undefined) {
      si.toUpdate.push(s)
      continue
    }
    still.push(s)
    for (const [zone, n] of byZone) allocated.set(zone, (allocated.get(zone) ?? 0) + n)
  }
  si.unchanged = still
  return allocated
}

/** utils.go `getMost`: the zone with the greatest positive value ("" and 0 when none); ties go to the first zone. */
const most = (zones: ReadonlyMap<string, number>): [string, number] => {
  let zone = ""
  let num = 0
  for (const z of zonesOf(zones)) {
    const n = zones.get(z) as number
    if (n > num) {
      zone = z
      num = n
    }
  }
  return [zone, num]
}

/**
 * utils.go `getGivingAndReceivingZones`: how many endpoints each zone holding more than its desired share gives,
 * and how many each zone holding less receives — whole endpoints moved from the most over- to the most
 * under-served zone until less than one is left on both sides or less than half on either.
 */
export const givingAndReceivingZones = (allocations: ReadonlyMap<string, Allocation>, allocated: ReadonlyMap<string, number>): { giving: Map<string, number>; receiving: Map<string, number> } => {
  const givingDesired = new Map<string, number>()
  const receivingDesired = new Map<string, number>()
  for (const [zone, a] of allocations) {
    const hints = allocated.get(zone) ?? 0
    if (hints > a.desired) givingDesired.set(zone, hints - a.desired)
    else if (hints < a.desired) receivingDesired.set(zone, a.desired - hints)
  }
  const giving = new Map<string, number>()
  const receiving = new Map<string, number>()
  for (;;) {
    const [gz, toGive] = most(givingDesired)
    const [rz, toReceive] = most(receivingDesired)
    if (gz === "" || rz === "" || (toGive < 1 && toReceive < 1) || toGive < 0.5 || toReceive < 0.5) break
    giving.set(gz, (giving.get(gz) ?? 0) + 1)
    givingDesired.set(gz, toGive - 1)
    receiving.set(rz, (receiving.get(rz) ?? 0) + 1)
    receivingDesired.set(rz, toReceive - 1)
  }
  return { giving, receiving }
}

/**
 * utils.go `redistributeHints`: ready endpoints of giving zones, in slice order, re-hinted for a receiving zone
 * until either side runs out. Consumes `giving` and `receiving`; returns each zone's change in hints.
 */
export const redistributeHints = (slices: ReadonlyArray<HintSlice>, giving: Map<string, number>, receiving: Map<string, number>): Map<string, number> => {
  const changes = new Map<string, number>()
  for (const s of slices) {
    for (let i = 0; i < s.endpoints.length; i++) {
      const e = s.endpoints[i] as Endpoint
      if (!endpointReady(e)) continue
      if (giving.size === 0 || receiving.size === 0) return changes
      if (e.zone === undefined || e.zone === "") continue
      const gz = e.zone
      const toGive = giving.get(gz) ?? 0
      if (toGive <= 0) continue
      for (const rz of zonesOf(receiving)) {
        const toReceive = receiving.get(rz) as number
        if (toReceive <= 0) continue
        s.endpoints[i] = withZoneHint(e, rz)
        if (toGive === 1) giving.delete(gz)
        else giving.set(gz, toGive - 1)
        if (toReceive === 1) receiving.delete(rz)
        else receiving.set(rz, toReceive - 1)
        changes.set(rz, (changes.get(rz) ?? 0) + 1)
        changes.set(gz, (changes.get(gz) ?? 0) - 1)
        break
      }
    }
  }
  return changes
}

/**
 * utils.go `serviceOverloaded`: some zone with CPU has fewer of the Service's hinted endpoints than its share
 * allows (ceil(total × ratio / (1 + threshold))), or none at all.
 */
export const serviceOverloaded = (byZone: ReadonlyMap<string, number>, ratios: ReadonlyMap<string, number>): boolean => {
  if (byZone.size === 0) return false
  if (ratios.size === 0) return true
  let total = 0
  for (const n of byZone.values()) total += n
  for (const [zone, ratio] of ratios) {
    const have = byZone.get(zone)
    if (have === undefined) return true
    if (have < Math.ceil(total * ratio * (1 / (1 + OVERLOAD_THRESHOLD)))) return true
  }
  return false
}
