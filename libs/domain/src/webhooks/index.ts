export * from './webhook-signature';
export * from './webhook-endpoint';
