export * from './slo-definition';
export * from './sli';
export * from './error-budget';
export * from './burn-rate';
export * from './alerting';
export * from './slo-status';
export * from './evaluate-slo';
