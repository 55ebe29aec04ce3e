/**
 * A bounded least-recently-used map: the engine's memos (compiled automata, explored string classes,
 * parsed patterns) and the process-wide decision cache use it, so none of them can grow with the
 * number of accounts or patterns seen, only up to its capacity. A Map keeps insertion order, so the
 * first key is the least recently used one once every hit is re-inserted at the end.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('an LRU needs a capacity of at least 1');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
