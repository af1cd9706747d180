export * from './desired-state';
export * from './errors';
export * from './gns';
export * from './telemetry';
export * from './slo';
export * from './cluster-status';
export * from './inventory';
