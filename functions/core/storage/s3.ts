/**
 * The lake on S3. One PutObject (or one completed multipart upload) publishes an object atomically;
 * create-once writes send `If-None-Match: *`, and S3 answers 412 PreconditionFailed when the key
 * exists (409 ConditionalRequestConflict while a competing conditional write is in flight).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createError } from '../errors.js';
import { assertSafeKey, StorageConflictError, type ObjectInfo, type PutOptions, type Storage } from './types.js';

export interface S3StorageOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket ('' or e.g. 'lake'). @default '' */
  readonly prefix?: string;
  /** A ready client (tests, shared clients). When absent one is built from clientConfig. */
  readonly client?: S3Client;
  /** Extra client settings, e.g. { endpoint, forcePathStyle, region, credentials } for a loopback server. */
  readonly clientConfig?: S3ClientConfig;
  /** Files at least this big go through a multipart upload. @default 16 MiB */
  readonly multipartThreshold?: number;
  /** Part size of multipart uploads (S3's minimum is 5 MiB). @default 8 MiB */
  readonly partSize?: number;
}

/**
 * Client defaults that keep streamed bodies intact on every S3-compatible server (docs/architecture.md, "Notes the code relies on"):
 * checksums only where the operation requires them.
 */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...config });
}

/**
 * Client settings from the environment: PIPELINE_S3_ENDPOINT points the clients at an S3-compatible
 * server with path-style addressing (the tests' server on 127.0.0.1). Never set on AWS, where the
 * SDK's regional endpoint (AWS_REGION) is used.
 */
export function s3OptionsFromEnv(env: Record<string, string | undefined> = process.env): Pick<S3StorageOptions, 'clientConfig'> {
  const endpoint = env.PIPELINE_S3_ENDPOINT;
  return endpoint ? { clientConfig: { endpoint, forcePathStyle: true } } : {};
}

export class S3Storage implements Storage {
  readonly root: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(options: S3StorageOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw createError('storage', `Failed to use bucket "${options.bucket}": not a valid S3 bucket name`);
    }
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix) assertSafeKey(prefix);
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.root = `s3://${this.bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = options.client ?? createS3Client(options.clientConfig);
    this.multipartThreshold = options.multipartThreshold ?? 16 * 1024 * 1024;
    this.partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
  }

  /** Build from 's3://bucket/prefix'. */
  static fromUrl(url: string, options: Omit<S3StorageOptions, 'bucket' | 'prefix'> = {}): S3Storage {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m) throw createError('storage', `Failed to parse lake root "${url}": expected s3://bucket/prefix`);
    return new S3Storage({ ...options, bucket: m[1]!, prefix: m[2] ?? '' });
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.tryGet(key);
    if (body === undefined) throw createError('storage', `Failed to read ${key} from ${this.root}: no such key`);
    return body;
  }

  async tryGet(key: string): Promise<Buffer | undefined> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw this.fail('read', key, cause);
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
          ...(options.contentType ? { ContentType: options.contentType } : {}),
          ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
      );
    } catch (cause) {
      if (options.ifNoneMatch && isConditionFailure(cause)) throw new StorageConflictError(key);
      throw this.fail('write', key, cause);
    }
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<string | undefined> {
    const Key = this.objectKey(key);
    try {
      const { size } = await stat(localPath);
      const params = {
        Bucket: this.bucket,
        Key,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      };
      if (size < this.multipartThreshold) {
        // One PutObject with a known length; the stream is safe with WHEN_REQUIRED checksums.
        return (await this.client.send(new PutObjectCommand({ ...params, Body: createReadStream(localPath), ContentLength: size }))).ETag;
      }
      // lib-storage passes IfNoneMatch on to CompleteMultipartUpload, where S3 enforces it.
      return (await new Upload({ client: this.client, params: { ...params, Body: createReadStream(localPath) }, partSize: this.partSize, queueSize: 2 }).done()).ETag;
    } catch (cause) {
      if (options.ifNoneMatch && isConditionFailure(cause)) throw new StorageConflictError(key);
      throw this.fail('upload', key, cause);
    }
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (cause) {
      if (isNotFound(cause)) return false;
      throw this.fail('stat', key, cause);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    if (prefix !== '') assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
    const base = this.prefix ? `${this.prefix}/` : '';
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const obj of page.Contents ?? []) {
          if (!obj.Key || !obj.Key.startsWith(base) || obj.Key.endsWith('/')) continue;
          out.push({
            key: obj.Key.slice(base.length),
            size: obj.Size ?? 0,
            ...(obj.ETag ? { etag: obj.ETag } : {}),
            ...(obj.LastModified ? { modified: obj.LastModified.toISOString() } : {}),
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (cause) {
      throw this.fail('list', prefix || '(root)', cause);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** ListObjectsV2 returns the sizes anyway: the keys of `list`. */
  async listKeys(prefix: string): Promise<string[]> {
    return (await this.list(prefix)).map((o) => o.key);
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (cause) {
      if (isNotFound(cause)) return;
      throw this.fail('delete', key, cause);
    }
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private fail(verb: string, key: string, cause: unknown): Error {
    const e = cause as { name?: string; message?: string };
    return createError('storage', `Failed to ${verb} ${key} in ${this.root}: ${e.name ?? 'Error'}: ${e.message ?? String(cause)}`, { cause });
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(err) === 404 && name !== 'NoSuchBucket');
}

/** 412: the key exists; 409: a competing conditional write is in flight — either way we did not create it. */
function isConditionFailure(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  const status = httpStatus(err);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412;
}
