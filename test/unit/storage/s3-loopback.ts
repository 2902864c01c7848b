/**
 * A real S3-protocol server on 127.0.0.1 for tests: s3rver on a temp directory, behind a small HTTP
 * front that enforces `If-None-Match: *` the way S3 documents it (412 PreconditionFailed when the
 * key exists), because s3rver ignores conditional writes. Everything else is forwarded byte for byte
 * (the Host header too, so SigV4 signatures stay valid).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client } from '../../../functions/core/storage/s3.js';

export interface S3Loopback {
  /** Endpoint of the If-None-Match-enforcing front (use this one). */
  endpoint: string;
  /** Endpoint of s3rver itself (for checks that must bypass the front). */
  backendEndpoint: string;
  client: S3Client;
  /** Conditional writes the front refused with 412 (for assertions). */
  refused: () => number;
  /** Every request through the front so far, as 'METHOD /bucket/key' (no query string). */
  requests: () => readonly string[];
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function loopbackClient(endpoint: string): S3Client {
  return createS3Client({ endpoint, forcePathStyle: true, region: 'ap-southeast-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

export async function startS3Loopback(): Promise<S3Loopback> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const backend = (await server.run()) as AddressInfo;
  const backendEndpoint = `http://127.0.0.1:${backend.port}`;
  const backendClient = loopbackClient(backendEndpoint);
  let refused = 0;
  // Conditional writes on one key run one at a time, so check-then-forward cannot interleave.
  const locks = new Map<string, Promise<void>>();

  const requests: string[] = [];
  const front = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', backendEndpoint);
    requests.push(`${req.method ?? ''} ${decodeURIComponent(url.pathname)}`);
    const conditional = req.headers['if-none-match'] === '*' && (req.method === 'PUT' || (req.method === 'POST' && url.searchParams.has('uploadId')));
    const isPartUpload = url.searchParams.has('partNumber');
    if (!conditional || isPartUpload) {
      forward(req, res, backend.port);
      return;
    }
    const [, bucket, ...rest] = decodeURIComponent(url.pathname).split('/');
    const key = rest.join('/');
    const lockKey = `${bucket}/${key}`;
    const previous = locks.get(lockKey) ?? Promise.resolve();
    const current = previous.then(async () => {
      const exists = await backendClient.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
        () => true,
        (err: { $metadata?: { httpStatusCode?: number } }) => {
          if (err.$metadata?.httpStatusCode === 404) return false;
          throw err;
        },
      );
      if (exists) {
        refused += 1;
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
            '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
            '<Condition>If-None-Match</Condition></Error>',
        );
        return;
      }
      await new Promise<void>((resolve) => {
        res.on('close', resolve);
        forward(req, res, backend.port);
      });
    });
    const settled = current.catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500).end(String(err.message));
    });
    locks.set(lockKey, settled);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const client = loopbackClient(endpoint);

  return {
    endpoint,
    backendEndpoint,
    client,
    refused: () => refused,
    requests: () => requests,
    async createBucket(name) {
      await backendClient.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      backendClient.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function forward(req: http.IncomingMessage, res: http.ServerResponse, port: number): void {
  const upstream = http.request(
    { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(err.message));
  });
  req.pipe(upstream);
}
