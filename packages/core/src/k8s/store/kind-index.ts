import type { Kind, KubeObject, LabelSelector } from "../api/index"
import { labelSelectorMatches } from "../api/index"

/**
 * client-go `cache.IndexFunc`: the values an object is filed under in one index (none: not in it). Must be a
 * pure function of the object.
 */
export type IndexFunc = (obj: KubeObject) => ReadonlyArray<string>

/**
 * What one object adds to a running sum (`KindIndex.addSum`): the key it counts under and its amounts (the same
 * length for every object of a sum), or undefined when it counts nowhere. Must be a pure function of the object,
 * and amounts whole numbers (sums stay exact whatever the order of writes).
 */
export type SumFunc = (obj: KubeObject) => { readonly key: string; readonly amounts: ReadonlyArray<number> } | undefined

interface Sum {
  readonly fn: SumFunc
  readonly totals: Map<string, number[]>
}

const EMPTY: ReadonlySet<string> = new Set()

/** `namespace/name` → object order of `ApiStore.list`: namespace, then name (cluster-scoped kinds: name). */
export const byNamespaceThenName = (a: KubeObject, b: KubeObject): number => {
  const an = a.metadata.namespace ?? ""
  const bn = b.metadata.namespace ?? ""
  if (an !== bn) return an < bn ? -1 : 1
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
}

interface Index {
  readonly fn: IndexFunc
  readonly buckets: Map<string, Set<string>>
  /** Per value, the kind's revision when an object last entered, left or changed in that bucket. */
  readonly revisions: Map<string, number>
  /** Per value, the bucket's objects in order as last listed, valid while the bucket's revision is `at`. */
  readonly sorted: Map<string, { readonly at: number; readonly objects: KubeObject[] }>
}

/**
 * Marks bucket `value` changed at `revision` and drops its sorted list: kept, a stale list would hold the bucket's
 * old objects alive until the next `byIndex` of that value, which may never come (an EndpointSlice's old versions,
 * one per Pod it lists, held by the slice-by-pod index).
 */
const touch = (idx: Index, value: string, revision: number): void => {
  idx.revisions.set(value, revision)
  idx.sorted.delete(value)
}

const file = (buckets: Map<string, Set<string>>, value: string, key: string): void => {
  let b = buckets.get(value)
  if (b === undefined) {
    b = new Set()
    buckets.set(value, b)
  }
  b.add(key)
}

const unfile = (buckets: Map<string, Set<string>>, value: string, key: string): void => {
  const b = buckets.get(value)
  if (b === undefined) return
  b.delete(key)
  if (b.size === 0) buckets.delete(value)
}

/** Adds (sign 1) or takes away (sign −1) one object's part; a key whose objects are all gone is dropped. */
const addTo = (s: Sum, part: ReturnType<SumFunc>, sign: 1 | -1): void => {
  if (part === undefined) return
  let t = s.totals.get(part.key)
  if (t === undefined) s.totals.set(part.key, (t = new Array<number>(part.amounts.length + 1).fill(0)))
  // The first slot counts the objects (0: none counts there; the array stays, see `sumCell`).
  t[0] = (t[0] as number) + sign
  for (let i = 0; i < part.amounts.length; i++) t[i + 1] = (t[i + 1] as number) + sign * (part.amounts[i] as number)
}

/** Whether a value is among `values` (an index function's few values; a set when there are many). */
const membership = (values: ReadonlyArray<string>): ((v: string) => boolean) => {
  if (values.length > 8) {
    const set = new Set(values)
    return (v) => set.has(v)
  }
  return (v) => values.includes(v)
}

/** The label index's value for one pair (label keys cannot contain "="). */
export const labelPair = (key: string, value: string): string => `${key}=${value}`

/**
 * The stored objects of one kind with client-go's `cache.Indexer` beside them (thread_safe_store.go
 * `updateIndices`): by namespace, by label pair, and by any named index function; every write refiles only the
 * object written, so a lookup costs what it returns, not the size of the kind. Lists come back in
 * namespace/name order, as `ApiStore.list` always returned them.
 */
export class KindIndex {
  readonly objects = new Map<string, KubeObject>()
  private readonly byNamespace = new Map<string, Set<string>>()
  private readonly byLabel = new Map<string, Set<string>>()
  private readonly indexes = new Map<string, Index>()
  private readonly sums = new Map<string, Sum>()
  /** Bumped on every write to the kind (create, update, delete). */
  revision = 0
  private sortedAll: KubeObject[] | null = null

  constructor(readonly kind: Kind) {}

  /** client-go `AddIndexers`: files every stored object under a new index; a second registration of a name is a no-op. */
  addIndex(name: string, fn: IndexFunc): void {
    if (this.indexes.has(name)) return
    const idx: Index = { fn, buckets: new Map(), revisions: new Map(), sorted: new Map() }
    this.indexes.set(name, idx)
    for (const [key, obj] of this.objects) for (const v of fn(obj)) file(idx.buckets, v, key)
  }

  /**
   * A running sum per key over the stored objects (what an informer's event handlers would keep, kept on every
   * write instead): reading it costs O(1), where a fold over the objects costs their number. A second
   * registration of a name is a no-op.
   */
  addSum(name: string, fn: SumFunc): void {
    if (this.sums.has(name)) return
    const sum: Sum = { fn, totals: new Map() }
    this.sums.set(name, sum)
    for (const obj of this.objects.values()) addTo(sum, fn(obj), 1)
  }

  /** Under `key`: [how many objects count there, then each amount's sum]; undefined when none does. Do not mutate. */
  sum(name: string, key: string): ReadonlyArray<number> | undefined {
    const t = this.sumOf(name).totals.get(key)
    return t === undefined || t[0] === 0 ? undefined : t
  }

  /**
   * The live totals under `key` ([count, then each amount's sum], zeros when nothing counts there): the same array
   * for the store's life, updated in place on every write, so a reader that looks often (the scheduler, per node
   * per cycle) keeps it instead of looking the key up. Keys are kept once seen. Do not mutate.
   */
  sumCell(name: string, key: string, width: number): ReadonlyArray<number> {
    const s = this.sumOf(name)
    let t = s.totals.get(key)
    if (t === undefined) s.totals.set(key, (t = new Array<number>(width + 1).fill(0)))
    return t
  }

  private sumOf(name: string): Sum {
    const s = this.sums.get(name)
    if (s === undefined) throw new Error(`no sum ${JSON.stringify(name)} on ${this.kind}`)
    return s
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name)
  }

  put(key: string, obj: KubeObject): void {
    const old = this.objects.get(key)
    this.revision++
    if (old === undefined) {
      this.sortedAll = null
      file(this.byNamespace, obj.metadata.namespace ?? "", key)
    } else if (this.sortedAll !== null) {
      // Same name, same place in the order: replace in place (binary search by namespace/name).
      const i = this.position(this.sortedAll, obj)
      if (this.sortedAll[i] === old) this.sortedAll[i] = obj
      else this.sortedAll = null
    }
    this.refileLabels(key, old, obj)
    for (const idx of this.indexes.values()) this.refile(idx, key, old, obj)
    for (const s of this.sums.values()) {
      if (old !== undefined) addTo(s, s.fn(old), -1)
      addTo(s, s.fn(obj), 1)
    }
    this.objects.set(key, obj)
  }

  remove(key: string): void {
    const old = this.objects.get(key)
    if (old === undefined) return
    this.revision++
    this.sortedAll = null
    unfile(this.byNamespace, old.metadata.namespace ?? "", key)
    this.refileLabels(key, old, undefined)
    for (const idx of this.indexes.values()) this.refile(idx, key, old, undefined)
    for (const s of this.sums.values()) addTo(s, s.fn(old), -1)
    this.objects.delete(key)
  }

  /** client-go `ByIndex`: the objects filed under `value`, in namespace/name order. */
  byIndex(name: string, value: string): KubeObject[] {
    const idx = this.indexes.get(name)
    if (idx === undefined) throw new Error(`no index ${JSON.stringify(name)} on ${this.kind}`)
    const at = idx.revisions.get(value) ?? 0
    const known = idx.sorted.get(value)
    if (known !== undefined && known.at === at) return known.objects.slice()
    const objects = this.collect(idx.buckets.get(value) ?? EMPTY, undefined, undefined)
    if (objects.length === 0) idx.sorted.delete(value)
    else idx.sorted.set(value, { at, objects: objects.slice() })
    return objects
  }

  /** Calls `f` for each object filed under `value`, in no particular order (for order-free folds: sums, counts). */
  forEachInIndex(name: string, value: string, f: (o: KubeObject) => void): void {
    for (const key of this.indexes.get(name)?.buckets.get(value) ?? EMPTY) f(this.objects.get(key) as KubeObject)
  }

  /** How many objects are filed under `value` (without building the list). */
  countByIndex(name: string, value: string): number {
    return this.indexes.get(name)?.buckets.get(value)?.size ?? 0
  }

  /**
   * The kind's revision when the bucket `value` of index `name` last changed (an object filed there was added,
   * updated or removed): a cache over one bucket stays valid while this stays the same.
   */
  indexRevision(name: string, value: string): number {
    return this.indexes.get(name)?.revisions.get(value) ?? 0
  }

  /**
   * The objects in `namespace` (undefined: all) matching `selector`, in namespace/name order. Candidates come from
   * the smallest of the namespace bucket and the matchLabels / `In` requirement buckets; each is then checked
   * against the whole selector, so the result equals a filter over every object.
   */
  list(namespace: string | undefined, selector: LabelSelector | undefined): KubeObject[] {
    if (namespace === undefined && selector === undefined) return this.all()
    const best = this.candidates(namespace, selector)
    if (best === undefined) return this.all().filter((o) => this.matches(o, namespace, selector))
    return this.collect(best, namespace, selector)
  }

  /** What `list` returns, in no particular order and without building it (for order-free folds: sums, counts). */
  forEachMatching(namespace: string | undefined, selector: LabelSelector | undefined, f: (o: KubeObject) => void): void {
    const best = namespace === undefined && selector === undefined ? undefined : this.candidates(namespace, selector)
    if (best === undefined) {
      for (const o of this.objects.values()) if (this.matches(o, namespace, selector)) f(o)
      return
    }
    for (const key of best) {
      const o = this.objects.get(key) as KubeObject
      if (this.matches(o, namespace, selector)) f(o)
    }
  }

  /** The smallest candidate set `list` filters (namespace or label buckets), or undefined for every object. */
  private candidates(namespace: string | undefined, selector: LabelSelector | undefined): ReadonlySet<string> | undefined {
    let best: ReadonlySet<string> | undefined = namespace === undefined ? undefined : (this.byNamespace.get(namespace) ?? EMPTY)
    if (selector !== undefined) {
      const ml = selector.matchLabels
      if (ml !== undefined) {
        for (const k in ml) {
          const b = this.byLabel.get(labelPair(k, ml[k] as string)) ?? EMPTY
          if (best === undefined || b.size < best.size) best = b
        }
      }
      for (const r of selector.matchExpressions ?? []) {
        if (r.operator !== "In") continue
        const values = r.values ?? []
        let size = 0
        for (const v of values) size += this.byLabel.get(labelPair(r.key, v))?.size ?? 0
        if (best !== undefined && size >= best.size) continue
        const union = new Set<string>()
        for (const v of values) for (const key of this.byLabel.get(labelPair(r.key, v)) ?? EMPTY) union.add(key)
        best = union
      }
    }
    return best
  }

  /** Every object, in namespace/name order (kept sorted between additions and removals). */
  all(): KubeObject[] {
    if (this.sortedAll === null) this.sortedAll = [...this.objects.values()].sort(byNamespaceThenName)
    return this.sortedAll.slice()
  }

  private collect(keys: ReadonlySet<string>, namespace: string | undefined, selector: LabelSelector | undefined): KubeObject[] {
    const out: KubeObject[] = []
    for (const key of keys) {
      const o = this.objects.get(key) as KubeObject
      if (this.matches(o, namespace, selector)) out.push(o)
    }
    return out.sort(byNamespaceThenName)
  }

  private matches(o: KubeObject, namespace: string | undefined, selector: LabelSelector | undefined): boolean {
    if (namespace !== undefined && o.metadata.namespace !== undefined && o.metadata.namespace !== namespace) return false
    return selector === undefined || labelSelectorMatches(selector, o.metadata.labels)
  }

  private refileLabels(key: string, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const a = old?.metadata.labels
    const b = next?.metadata.labels
    if (a === b) return
    if (a !== undefined) for (const k in a) if (b === undefined || b[k] !== a[k]) unfile(this.byLabel, labelPair(k, a[k] as string), key)
    if (b !== undefined) for (const k in b) if (a === undefined || a[k] !== b[k]) file(this.byLabel, labelPair(k, b[k] as string), key)
  }

  private refile(idx: Index, key: string, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const before = old === undefined ? [] : idx.fn(old)
    const after = next === undefined ? [] : idx.fn(next)
    const kept = membership(after)
    for (const v of before) {
      touch(idx, v, this.revision)
      if (!kept(v)) unfile(idx.buckets, v, key)
    }
    // A value the object had before is filed already (most writes keep every value: a status update).
    const had = membership(before)
    for (const v of after) {
      touch(idx, v, this.revision)
      if (!had(v)) file(idx.buckets, v, key)
    }
  }

  /** Where `obj` sits (or would sit) in a namespace/name-sorted array. */
  private position(sorted: ReadonlyArray<KubeObject>, obj: KubeObject): number {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (byNamespaceThenName(sorted[mid] as KubeObject, obj) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
