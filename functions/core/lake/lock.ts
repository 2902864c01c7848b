/**
 * One writer per lake: a lock object `locks/lake.json` created with the storage's create-once write
 * (disk: a hard link that fails with EEXIST; S3: PutObject with If-None-Match: *), so two runs
 * cannot both take it. The body names the holder (pid, host, command, times).
 *
 * A lock is stale, and taken over, when its holder is a process of this host that no longer exists
 * (killed, crashed), or when its heartbeat is older than `staleMs` (a holder on another host stops
 * refreshing it; the holder refreshes it every staleMs / 4 while it runs). A run that finds a live
 * lock waits up to `waitMs` (default: not at all), then fails with a message naming the holder.
 *
 * Re-entrant within one async call chain (AsyncLocalStorage): runAll takes the lock once and the
 * land / transform / snapshot it calls run under it; a second, concurrent call chain in the same
 * process does not.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StorageConflictError, type Storage } from '../storage/types.js';

export const LAKE_LOCK_KEY = 'locks/lake.json';

const LockBody = z.object({
  owner: z.string(),
  pid: z.number().int(),
  host: z.string(),
  command: z.string(),
  acquired_at: z.string(),
  heartbeat_at: z.string(),
});
export type LockBody = z.infer<typeof LockBody>;

export interface LockOptions {
  /** How long to wait for a live lock to be released (default 0: fail at once). */
  waitMs?: number;
  /** Poll interval while waiting (default 500 ms). */
  pollMs?: number;
  /** A lock whose heartbeat is older than this is stale (default 5 minutes). */
  staleMs?: number;
}

/** The default `staleMs`: a lock unrefreshed this long is taken over (AWS: a step killed by its timeout is retried after it). */
export const LOCK_STALE_MS = 5 * 60_000;

/** Another run holds the lake. */
export class LakeLockedError extends Error {
  constructor(
    readonly root: string,
    readonly holder: LockBody | undefined,
  ) {
    const who = holder
      ? `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.acquired_at}, last seen ${holder.heartbeat_at})`
      : 'another run';
    super(
      `[pipeline] [lock] Failed to lock the lake ${root}: ${who} is writing to it. Wait for it to finish and run again; ` +
        `if that process is gone, the lock is taken over once stale, or delete ${LAKE_LOCK_KEY} by hand.`,
    );
    this.name = 'LakeLockedError';
  }
}

export interface LakeLock {
  readonly body: LockBody;
  release(): Promise<void>;
}

const held = new AsyncLocalStorage<ReadonlySet<string>>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(storage: Storage): Promise<LockBody | undefined> {
  const body = await storage.tryGet(LAKE_LOCK_KEY);
  if (!body) return undefined;
  const parsed = LockBody.safeParse((() => {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
  })());
  // An unreadable lock (a torn write cannot happen, but a hand-edited one can) counts as stale.
  return parsed.success ? parsed.data : { owner: '?', pid: -1, host: '?', command: '?', acquired_at: '?', heartbeat_at: new Date(0).toISOString() };
}

/** Why a lock is stale, or undefined when its holder may still be running. */
export function staleReason(lock: LockBody, staleMs: number, now = Date.now()): string | undefined {
  if (lock.host === os.hostname() && lock.pid > 0 && lock.pid !== process.pid && !processAlive(lock.pid)) return `process ${lock.pid} is gone`;
  const beat = Date.parse(lock.heartbeat_at);
  if (Number.isNaN(beat)) return 'unreadable lock';
  if (now - beat > staleMs) return `no heartbeat for ${Math.round((now - beat) / 1000)} s`;
  return undefined;
}

/** Take the lake's lock or throw LakeLockedError (after waiting up to opts.waitMs). */
export async function acquireLakeLock(storage: Storage, command: string, opts: LockOptions = {}): Promise<LakeLock> {
  const waitMs = opts.waitMs ?? 0;
  const pollMs = opts.pollMs ?? 500;
  const staleMs = opts.staleMs ?? LOCK_STALE_MS;
  const deadline = Date.now() + waitMs;
  const owner = randomBytes(12).toString('hex');
  const now = new Date().toISOString();
  const body: LockBody = { owner, pid: process.pid, host: os.hostname(), command, acquired_at: now, heartbeat_at: now };
  for (;;) {
    try {
      await storage.put(LAKE_LOCK_KEY, JSON.stringify(body), { ifNoneMatch: true, contentType: 'application/json' });
      // A racing take-over may have deleted and replaced our fresh lock: confirm it is ours.
      const check = await readLock(storage);
      if (check?.owner === owner) return startHeartbeat(storage, body, staleMs);
    } catch (err) {
      if (!(err instanceof StorageConflictError)) throw err;
    }
    const current = await readLock(storage);
    if (current && staleReason(current, staleMs) !== undefined) {
      await storage.delete(LAKE_LOCK_KEY);
      continue;
    }
    if (Date.now() >= deadline) throw new LakeLockedError(storage.root, current);
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

function startHeartbeat(storage: Storage, body: LockBody, staleMs: number): LakeLock {
  let current = body;
  let beating = Promise.resolve();
  const timer = setInterval(() => {
    beating = (async () => {
      const now = await readLock(storage).catch(() => undefined);
      if (now?.owner !== body.owner) return; // taken over (we were presumed dead); the run's writes are still create-once or idempotent
      current = { ...current, heartbeat_at: new Date().toISOString() };
      await storage.put(LAKE_LOCK_KEY, JSON.stringify(current), { contentType: 'application/json' }).catch(() => undefined);
    })();
  }, Math.max(1000, Math.floor(staleMs / 4)));
  timer.unref();
  return {
    body,
    async release() {
      clearInterval(timer);
      await beating;
      const now = await readLock(storage);
      if (now?.owner === body.owner) await storage.delete(LAKE_LOCK_KEY);
    },
  };
}

/**
 * Run `fn` holding the lake's lock (re-entrant: nested calls in the same call chain reuse it).
 * Throws LakeLockedError when another run holds it.
 */
export async function withLakeLock<T>(storage: Storage, command: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const roots = held.getStore() ?? new Set<string>();
  if (roots.has(storage.root)) return fn();
  const lock = await acquireLakeLock(storage, command, opts);
  try {
    return await held.run(new Set([...roots, storage.root]), fn);
  } finally {
    await lock.release();
  }
}
