/**
 * One storage interface for the lake: local disk (default) and S3. Keys are '/'-separated, relative
 * to the storage root, never absolute and never containing '..' (see assertSafeKey).
 */
export interface PutOptions {
  /** Create-once: fail with StorageConflictError if the key exists (S3: If-None-Match: *). */
  ifNoneMatch?: boolean;
  contentType?: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  /** The object's ETag where the store has one (S3: changes whenever the bytes do); none on local disk. */
  etag?: string;
  /** When the object was last written, ISO 8601, where the store says (S3: LastModified; a re-upload of the same bytes changes it, not the ETag). */
  modified?: string;
}

export interface Storage {
  /** Human-readable root: a directory path or s3://bucket/prefix. */
  readonly root: string;
  get(key: string): Promise<Buffer>;
  /** Returns undefined when the key does not exist. */
  tryGet(key: string): Promise<Buffer | undefined>;
  /** Atomic: a reader sees the old object or the new one, never part of one. */
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<void>;
  /**
   * Atomic publish of a local file (e.g. a Parquet file written by DuckDB) under key. Returns the stored
   * object's ETag where the store has one (S3: the one `list` reports for these bytes), else undefined.
   */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<string | undefined>;
  exists(key: string): Promise<boolean>;
  /** Keys under prefix, sorted. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /**
   * The keys of `list`, without their sizes: on disk no stat per file (raw/ and manifest/ hold every file
   * ever pulled, so a land that lists them pays for the whole history; bench/history.md, change 94).
   */
  listKeys(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Where DuckDB can read the key directly (file path, or s3:// URL), if it can. */
  locate(key: string): string;
}

export class StorageConflictError extends Error {
  constructor(readonly key: string) {
    super(`[pipeline] [storage] Failed to create ${key}: it already exists`);
    this.name = 'StorageConflictError';
  }
}

/** Whether a key is relative, '/'-separated and free of '..', '.', empty parts and backslashes (assertSafeKey). */
export function isSafeKey(key: string): boolean {
  return !(!key || key.startsWith('/') || key.includes('\\') || key.split('/').some((p) => p === '..' || p === '.' || p === '') || /^[a-zA-Z]:/.test(key));
}

export function assertSafeKey(key: string): string {
  if (!isSafeKey(key)) {
    throw new Error(`[pipeline] [storage] Failed to use key "${key}": keys must be relative, '/'-separated and free of '..'`);
  }
  return key;
}
