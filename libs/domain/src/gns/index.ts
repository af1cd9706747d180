export * from './match-conditions';
export { findRegexHazard, MAX_REPETITIONS } from './regex-safety';
export * from './gns-identity';
export * from './inventory';
export { meshPorts, portSignature } from './service-ports';
export * from './membership';
export * from './desired-states';
export * from './snapshot-hash';
export * from './mesh-ca';
