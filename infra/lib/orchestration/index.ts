export * from './pipeline-orchestration.js';
export * from './pipeline-orchestration-props.js';
