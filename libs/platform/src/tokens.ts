/** Injection tokens for what the platform provides to a service. */
export const SERVICE_NAME = 'iop:service-name';
export const LOGGER = 'iop:logger';
export const METRICS = 'iop:metrics';
export const REDIS = 'iop:redis';
