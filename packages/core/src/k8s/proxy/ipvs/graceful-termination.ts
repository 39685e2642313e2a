import { formatIpv4 } from "../../../net/index"
import type { IpvsDest, IpvsService, IpvsTable } from "../../../net/index"
import { seconds, type Nanos } from "../../../sim/index"

/** pkg/proxy/ipvs/graceful_termination.go rsCheckDeleteInterval: how often the list is retried. */
export const RS_CHECK_DELETE_INTERVAL: Nanos = seconds(60)

/** graceful_termination.go GetUniqueRSName: `vs.String() + "/" + rs.String()`, e.g. "10.96.0.1:80/TCP/10.244.0.5:8080". */
export const uniqueRsName = (svc: IpvsService, dest: IpvsDest): string =>
  `${formatIpv4(svc.spec.address)}:${svc.spec.port}/${svc.spec.protocol}/${formatIpv4(dest.address)}:${dest.port}`

interface ListItem {
  readonly svc: IpvsService
  readonly dest: IpvsDest
}

/**
 * kube-proxy's GracefulTerminationManager (pkg/proxy/ipvs/graceful_termination.go): a real server that is no
 * longer wanted gets weight 0 (no new connections) and stays until its connections are gone; the list is
 * retried every `RS_CHECK_DELETE_INTERVAL` by the caller. UDP (and SCTP) real servers go at once
 * (util/ipvs.go IsRsGracefulTerminationNeeded): their connections die on their next packet through
 * expire_nodest_conn. Upstream walks a Go map; here the list is walked in the order real servers were added.
 */
export class GracefulTerminationManager {
  private readonly list = new Map<string, ListItem>()

  constructor(private readonly table: IpvsTable) {}

  inTerminationList(name: string): boolean {
    return this.list.has(name)
  }

  /** Names in the list, in the order they were added. */
  pending(): string[] {
    return [...this.list.keys()]
  }

  /** GracefulDeleteRS: delete now if nothing holds the real server, else weight 0 and list it. */
  gracefulDeleteRS(svc: IpvsService, dest: IpvsDest, now: Nanos): void {
    const item = { svc, dest }
    if (this.deleteRs(item, now)) return
    this.table.setWeight(svc, dest.address, dest.port, 0)
    const name = uniqueRsName(svc, dest)
    if (!this.list.has(name)) this.list.set(name, item)
  }

  /** MoveRSOutofGracefulDeleteList: delete it now and forget it (the endpoint came back; the caller re-adds it). */
  moveRSOutOfGracefulDeleteList(name: string): void {
    const item = this.list.get(name)
    if (item === undefined) throw new Error(`failed to find rs: "${name}"`)
    if (this.table.findDest(item.svc, item.dest.address, item.dest.port) === item.dest) {
      this.table.deleteDest(item.svc, item.dest.address, item.dest.port)
    }
    this.list.delete(name)
  }

  /** tryDeleteRs: one pass over the list (the periodic worker). */
  tryDeleteRs(now: Nanos): void {
    for (const [name, item] of [...this.list]) if (this.deleteRs(item, now)) this.list.delete(name)
  }

  /** deleteRsFunc: true when the real server is gone (deleted now, or no longer in its service). */
  private deleteRs(item: ListItem, now: Nanos): boolean {
    const { svc, dest } = item
    if (this.table.findDest(svc, dest.address, dest.port) !== dest) return true
    this.table.sweep(now)
    const graceful = svc.spec.protocol !== "UDP"
    if (graceful && dest.activeConns + dest.inactConns !== 0) return false
    this.table.deleteDest(svc, dest.address, dest.port)
    return true
  }
}
