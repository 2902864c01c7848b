/**
 * The one copy from a storage to local disk: an object, or every object under prefixes, written to
 * `<dir>/<key>` (keys as '/'-separated relative paths), so DuckDB or a file-based reader can open them.
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

/** Every object under `prefixes` (default: all) written to `<dir>/<key>`; the files, in key order, and their bytes. */
export async function copyPrefix(storage: Storage, dir: string, prefixes: readonly string[] = ['']): Promise<{ files: string[]; bytes: number }> {
  const files: string[] = [];
  let bytes = 0;
  for (const prefix of prefixes) {
    for (const { key } of await storage.list(prefix)) {
      const copied = await copyObject(storage, key, dir);
      if (!copied) continue; // deleted since the listing
      files.push(copied.file);
      bytes += copied.bytes;
    }
  }
  return { files, bytes };
}
