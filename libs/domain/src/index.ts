export * from './desired-state';
export * from './errors';
