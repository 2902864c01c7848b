/**
 * One Storage over several: keys under a routed prefix (e.g. 'raw/' → the raw bucket) go to that
 * storage, everything else to the default. Keys stay the same in every backend, so the lake layout
 * (docs/architecture.md) holds whether it lives in one bucket or in several (as on AWS, where raw,
 * lake and quarantine are separate buckets with separate permissions).
 */
import { assertSafeKey, type ObjectInfo, type PutOptions, type Storage } from './types.js';

export interface Route {
  /** A key prefix ending in '/', e.g. 'raw/'. */
  readonly prefix: string;
  readonly storage: Storage;
}

export class RoutedStorage implements Storage {
  readonly root: string;

  constructor(
    private readonly fallback: Storage,
    private readonly routes: readonly Route[],
  ) {
    for (const r of routes) {
      if (!r.prefix.endsWith('/')) throw new Error(`[pipeline] [storage] Failed to route "${r.prefix}": a route prefix ends with '/'`);
      assertSafeKey(r.prefix.slice(0, -1));
    }
    this.root = fallback.root;
  }

  private pick(key: string): Storage {
    assertSafeKey(key);
    return this.routes.find((r) => key.startsWith(r.prefix))?.storage ?? this.fallback;
  }

  async get(key: string): Promise<Buffer> {
    return this.pick(key).get(key);
  }
  async tryGet(key: string): Promise<Buffer | undefined> {
    return this.pick(key).tryGet(key);
  }
  async put(key: string, body: Buffer | string, options?: PutOptions): Promise<void> {
    return this.pick(key).put(key, body, options);
  }
  async putFile(key: string, localPath: string, options?: PutOptions): Promise<string | undefined> {
    return this.pick(key).putFile(key, localPath, options);
  }
  async exists(key: string): Promise<boolean> {
    return this.pick(key).exists(key);
  }
  async delete(key: string): Promise<void> {
    return this.pick(key).delete(key);
  }
  locate(key: string): string {
    return this.pick(key).locate(key);
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.gather(prefix, (s, p) => s.list(p), (o) => o.key);
  }

  listKeys(prefix: string): Promise<string[]> {
    return this.gather(prefix, (s, p) => s.listKeys(p), (k) => k);
  }

  /** `list` or `listKeys` (`one`) of the storage a prefix lies in, or of every storage it spans. */
  private async gather<T>(prefix: string, one: (storage: Storage, prefix: string) => Promise<T[]>, keyOf: (item: T) => string): Promise<T[]> {
    const inside = this.routes.find((r) => prefix.startsWith(r.prefix));
    if (inside) return one(inside.storage, prefix);
    // The prefix spans the default storage and every route it is a prefix of.
    const parts = await Promise.all([
      one(this.fallback, prefix).then((items) => items.filter((o) => !this.routes.some((r) => keyOf(o).startsWith(r.prefix)))),
      ...this.routes.filter((r) => r.prefix.startsWith(prefix)).map((r) => one(r.storage, r.prefix)),
    ]);
    return parts.flat().sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }
}
