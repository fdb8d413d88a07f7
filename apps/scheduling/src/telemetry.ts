import { startTelemetry } from '@iop/observability';

startTelemetry('scheduling');
