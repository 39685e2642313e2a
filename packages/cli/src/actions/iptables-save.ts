import type { IptablesSaveOptions } from "../commands/iptables-save"
import { printNodeText } from "./node-text"

/** `kubesim iptables-save` (see ../commands/iptables-save.ts). */
export const iptablesSave = (o: IptablesSaveOptions) => printNodeText(o, (cluster) => cluster.iptablesSave(o.node, o.format))
