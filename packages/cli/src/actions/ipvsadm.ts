import { Effect } from "effect"
import type { IpvsadmOptions } from "../commands/ipvsadm"
import { checkIpvsadmFlags, ipvsadmText, nodeIpvsTable } from "../inspect/ipvsadm-view"
import { attempt } from "./attempt"
import { printNodeText } from "./node-text"

/** `kubesim ipvsadm -Ln --node N` (see ../commands/ipvsadm.ts): the flags are checked before the run is replayed. */
export const ipvsadm = (o: IpvsadmOptions) =>
  Effect.zipRight(
    attempt(() => checkIpvsadmFlags(o)),
    printNodeText(o, (cluster) => {
      const node = cluster.nodes.get(o.node)
      if (node === undefined) throw new Error(`printNodeText checked node "${o.node}"`)
      return ipvsadmText(o, nodeIpvsTable(node), cluster.sim.now)
    }),
  )
