export * from './autoscaling-spec';
export * from './decide-scale';
export * from './desired-autoscaling';
