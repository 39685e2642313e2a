const ids = new WeakMap<object, number>()
let next = 1

/**
 * A stable number for an immutable, shared record (a slice's info, a Service's port map, an endpoint list): memo
 * keys name records by identity, so every node's kube-proxy names the same record alike.
 */
export const identityOf = (o: object): number => {
  let id = ids.get(o)
  if (id === undefined) ids.set(o, (id = next++))
  return id
}
