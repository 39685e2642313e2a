export { poissonArrivals, rampArrivals, burstArrivals, mergeArrivals, thinkTime } from "./arrivals"
export { type TrafficDriver, startTraffic, clientMode } from "./traffic-drivers"
