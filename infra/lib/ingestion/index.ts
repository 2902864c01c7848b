export * from './pipeline-functions.js';
export * from './pipeline-functions-props.js';
