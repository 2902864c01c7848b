/**
 * The names the Athena engine and the CDK stack share: the Glue tables of the lake's sources, the
 * snapshot's database and the key of a model's run pointer (with its body). No SDK here: infra/
 * imports this module, not the engine (functions/core/engine/athena.ts).
 */

/** Glue table of a landed dataset (infra/lib/query defines one per dataset and one for the landing log). */
export function landedTableName(dataset: string): string {
  return `landed_${dataset}`;
}
/**
 * The Glue database a snapshot works in (its as-of views and scratch models), beside the lake's own:
 * the stack creates it, the snapshot function defaults to it (ATHENA_SNAPSHOT_DATABASE overrides).
 */
export function snapshotDatabaseName(database: string): string {
  return `${database}_snapshot`;
}
/** Glue table over quarantine/ (every dataset's rejected rows; partitions dataset, source, year, month). */
export const QUARANTINE_TABLE = 'quarantine';

/** Where the current run of a model is recorded (written after the view switch). */
export function modelPointerKey(layer: string, name: string): string {
  return `models/${layer}/${name}/current.json`;
}

/** Body of models/<layer>/<name>/current.json. */
export interface ModelPointer {
  model: string;
  layer: string;
  run_id: string;
  table: string;
  /** Storage key prefix of the run's files (ends with '/'). */
  prefix: string;
  location: string;
  rows: number;
  /** Incremental models: the partition column and where each partition's files are (this run's or an older run's prefix). */
  partition_column?: string;
  partitions?: PartitionPointer[];
}

/** One partition of an incremental model's run table: its value, its files' prefix (ends with '/'), its rows. */
export interface PartitionPointer {
  value: number;
  prefix: string;
  rows: number;
}
