export * from './errors';
export * from './cloudevent-codec';
export * from './trace-context';
export * from './outbox';
export * from './outbox-relay';
export * from './event-consumer';
export * from './dead-letter';
export * from './kafka-client';
