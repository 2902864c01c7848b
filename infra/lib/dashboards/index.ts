export * from './site-hosting.js';
export * from './site-hosting-props.js';
export * from './url-rewrite.js';
