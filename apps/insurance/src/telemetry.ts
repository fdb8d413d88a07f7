import { startTelemetry } from '@iop/observability';

startTelemetry('insurance');
