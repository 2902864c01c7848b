export * from './lake-buckets.js';
export * from './lake-buckets-props.js';
