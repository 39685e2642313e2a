import { NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/**
 * A duration as kubectl prints ages (k8s.io/apimachinery/pkg/util/duration/duration.go `HumanDuration`):
 * `45s`, `119s`, `2m3s`, `9m`, `10m`, `3h5m`, `8h`, `2d3h`, `8d`, `2y30d`, `8y`.
 */
export const humanDuration = (d: Nanos): string => {
  const seconds = Math.trunc(d / NANOS_PER_SECOND)
  // Allow a deviation of up to 2 s (machine clock skew) to count as "now".
  if (seconds < -1) return "<invalid>"
  if (seconds < 0) return "0s"
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.trunc(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.trunc(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`
  }
  return `${Math.trunc(hours / 24 / 365)}y`
}
