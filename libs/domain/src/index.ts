export * from './desired-state';
export * from './errors';
export * from './gns';
