export * from './declarative-kinds';
export * from './declarative-diff';
export * from './declarative-schemas';
export * from './apply-plan';
