export { poissonArrivals, rampArrivals, burstArrivals, mergeArrivals, thinkTime } from "./arrivals"
