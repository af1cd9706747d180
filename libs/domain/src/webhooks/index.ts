export * from './webhook-signature';
export * from './webhook-endpoint';
export * from './webhook-event';
