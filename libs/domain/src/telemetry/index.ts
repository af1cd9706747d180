export * from './ddsketch';
export * from './telemetry-item';
export * from './minute-aggregator';
export * from './seeded-random';
export * from './synthetic-traffic';
export * from './prometheus-text';
export * from './prometheus-istio';
