import { startTelemetry } from '@iop/observability';

startTelemetry('intake');
