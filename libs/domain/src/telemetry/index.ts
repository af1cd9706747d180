export * from './ddsketch';
export * from './telemetry-item';
export * from './telemetry-batch-validation';
export * from './telemetry-query';
export * from './traffic-totals';
export * from './gns-telemetry-scope';
export * from './telemetry-topology';
export * from './query-result-cache';
