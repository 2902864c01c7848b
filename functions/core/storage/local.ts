/**
 * The lake on local disk. Every write goes to a temporary file in the destination directory, is
 * fsync'ed, then published with one rename (replace) or one hard link (create-once, which fails
 * atomically with EEXIST when the key exists). Readers therefore see the old bytes or the new ones.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createError } from '../errors.js';
import { assertSafeKey, StorageConflictError, type ObjectInfo, type PutOptions, type Storage } from './types.js';

/** Temporary files carry this suffix and a leading dot; list() never shows them. */
const TEMP_SUFFIX = '.tmp-put';

export class LocalStorage implements Storage {
  readonly root: string;

  /** @param root directory of the lake (created on the first write) */
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  locate(key: string): string {
    return path.join(this.root, ...assertSafeKey(key).split('/'));
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.tryGet(key);
    if (body === undefined) throw createError('storage', `Failed to read ${key} from ${this.root}: no such key`);
    return body;
  }

  async tryGet(key: string): Promise<Buffer | undefined> {
    const file = this.locate(key);
    try {
      return await readFile(file);
    } catch (cause) {
      if (isCode(cause, 'ENOENT') || isCode(cause, 'EISDIR') || isCode(cause, 'ENOTDIR')) return undefined;
      throw createError('storage', `Failed to read ${key} from ${this.root}: ${(cause as Error).message}`, { cause });
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<void> {
    const target = this.locate(key);
    await this.publish(key, target, options, async (tmp) => {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<undefined> {
    const target = this.locate(key);
    await this.publish(key, target, options, async (tmp) => {
      await copyFile(localPath, tmp, fsConstants.COPYFILE_EXCL);
      const handle = await open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    return undefined;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.locate(key))).isFile();
    } catch (cause) {
      if (isCode(cause, 'ENOENT') || isCode(cause, 'ENOTDIR')) return false;
      throw createError('storage', `Failed to stat ${key} in ${this.root}: ${(cause as Error).message}`, { cause });
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // The files are stat'ed at once (raw/<kind>/ holds every file ever pulled: one stat after another
    // made listing it grow with the lake's history).
    const files = await this.files(prefix);
    const sizes = await Promise.all(files.map((f) => stat(f.file).then((st) => st.size)));
    return files.map((f, i) => ({ key: f.key, size: sizes[i]! }));
  }

  async listKeys(prefix: string): Promise<string[]> {
    return (await this.files(prefix)).map((f) => f.key);
  }

  /** The files under prefix (S3 semantics: a key prefix, not a directory), by key, with their paths. */
  private async files(prefix: string): Promise<{ key: string; file: string }[]> {
    if (prefix !== '') assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
    // Walk from the deepest directory the prefix names, then filter by the whole prefix (S3 semantics).
    const dirKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const out: { key: string; file: string }[] = [];
    const walk = async (relDir: string): Promise<void> => {
      const abs = relDir ? path.join(this.root, ...relDir.split('/')) : this.root;
      let entries;
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch (cause) {
        if (isCode(cause, 'ENOENT') || isCode(cause, 'ENOTDIR')) return;
        throw createError('storage', `Failed to list ${prefix || '(root)'} in ${this.root}: ${(cause as Error).message}`, { cause });
      }
      for (const entry of entries) {
        const key = relDir ? `${relDir}/${entry.name}` : entry.name;
        if (entry.isFile() && !isTemp(entry.name) && key.startsWith(prefix)) out.push({ key, file: path.join(abs, entry.name) });
        else if (entry.isDirectory() && (key.startsWith(prefix) || prefix.startsWith(`${key}/`))) await walk(key);
      }
    };
    await walk(dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.locate(key));
    } catch (cause) {
      if (isCode(cause, 'ENOENT')) return; // like S3: deleting a missing key succeeds
      throw createError('storage', `Failed to delete ${key} from ${this.root}: ${(cause as Error).message}`, { cause });
    }
  }

  /** Write to a temp file beside the target with `fill`, then rename (replace) or link (create-once). */
  private async publish(key: string, target: string, options: PutOptions, fill: (tmp: string) => Promise<void>): Promise<void> {
    const dir = path.dirname(target);
    const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    try {
      await mkdir(dir, { recursive: true });
      if (options.ifNoneMatch && (await this.exists(key))) throw new StorageConflictError(key);
      await fill(tmp);
      if (options.ifNoneMatch) {
        // link() refuses an existing target atomically: two racing writers cannot both win.
        try {
          await link(tmp, target);
        } catch (cause) {
          if (isCode(cause, 'EEXIST')) throw new StorageConflictError(key);
          throw cause;
        }
      } else {
        await rename(tmp, target);
      }
      await syncDir(dir);
    } catch (cause) {
      if (cause instanceof StorageConflictError) throw cause;
      throw createError('storage', `Failed to write ${key} to ${this.root}: ${(cause as Error).message}`, { cause });
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

function isTemp(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** Persist the directory entry of a rename/link (best effort: some file systems refuse fsync on directories). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported here; the data itself is already fsync'ed
  } finally {
    await handle?.close();
  }
}
