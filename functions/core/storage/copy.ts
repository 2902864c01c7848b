/**
 * The one copy from a storage to local disk: an object written to `<dir>/<key>` (keys as '/'-separated
 * relative paths), so DuckDB or a file-based reader can open it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Storage } from './types.js';

/** `key` written to `<dir>/<key>`; undefined when the key does not exist. */
export async function copyObject(storage: Storage, key: string, dir: string): Promise<{ file: string; bytes: number } | undefined> {
  const body = await storage.tryGet(key);
  if (body === undefined) return undefined;
  const file = path.join(dir, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
  return { file, bytes: body.length };
}
