export * from './lake-query.js';
export * from './lake-query-props.js';
