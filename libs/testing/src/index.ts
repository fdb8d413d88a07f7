export * from './kafka-dev-broker';
export * from './test-environment';
export * from './harness';
export * from './factories';
export * from './platform-processes';
export * from './phi-scan';
export * from './openapi-fuzz';
export * from './event-stream';
