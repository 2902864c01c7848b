export * from './site-hosting.js';
export * from './site-hosting-props.js';
export * from './url-rewrite.js';
export * from './site-sign-in.js';
export * from './site-sign-in-props.js';
export * from './site-allow-list.js';
