/** Model loader, runner and YAML tests for the sql/ models (snapshots live in snapshot.ts). */
export { loadModels, loadSources, parseCsv, referencedRelations, seedToSql, type ColumnSpec, type LoadOptions, type SourceDecl, type TestSpec, type TransformModel } from './models.js';
export { runModels, type RunOptions, type RunProgress } from './run.js';
export { checkMissingSources, describeMissingSources, type MissingSource, type SourceCheck } from './missing.js';
export { assertTestsPass, buildTestChecks, runModelTests, scopesToPartitions, testSql, uniqueAgainstRestSql, type TestCheck, type TestOptions, type TestResult } from './tests.js';
export { LANDING_FUNCTIONS, lintSql, maskSql, PORTABLE_FUNCTIONS, type LintIssue } from './lint.js';
export { lakeSourceLocations, LEDGER_COLUMNS, SOURCE_COLUMNS, SOURCE_NAMES, type SourceColumn } from './sources.js';
export { registerLakeSources } from './register.js';
export { currentPeriods, keptModels, modelsFingerprint, partitionPlanner, planTransform, readState, STATE_KEY, writeState, type TransformPlan, type TransformState } from './incremental.js';
