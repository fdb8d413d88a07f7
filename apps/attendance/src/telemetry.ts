import { startTelemetry } from '@iop/observability';

startTelemetry('attendance');
