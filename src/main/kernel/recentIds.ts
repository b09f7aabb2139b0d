/** Remembers the last `limit` ids: a bounded memory, so that a replayed fill or trade is counted once without unbounded memory. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly limit = 50_000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  /** True when the id is new (and records it). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
