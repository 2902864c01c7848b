/**
 * The storage of a lake on S3 as the stack lays it out: the lake bucket, with raw/ and manifest/ in the
 * raw bucket and quarantine/ in the quarantine bucket when the config names them (PIPELINE_RAW_ROOT,
 * PIPELINE_QUARANTINE_ROOT). The Lambda functions and the CLI's S3 commands open it the same way.
 */
import type { PipelineConfig } from '../config.js';
import { RoutedStorage, type Route } from './routed.js';
import { S3Storage, s3OptionsFromEnv } from './s3.js';
import type { Storage } from './types.js';

export function s3LakeStorage(config: Pick<PipelineConfig, 'lakeRoot' | 'rawRoot' | 'quarantineRoot'>): Storage {
  const s3 = (url: string): S3Storage => S3Storage.fromUrl(url, s3OptionsFromEnv());
  const routes: Route[] = [];
  if (config.rawRoot) {
    const raw = s3(config.rawRoot);
    routes.push({ prefix: 'raw/', storage: raw }, { prefix: 'manifest/', storage: raw });
  }
  if (config.quarantineRoot) routes.push({ prefix: 'quarantine/', storage: s3(config.quarantineRoot) });
  return new RoutedStorage(s3(config.lakeRoot), routes);
}
