import { startTelemetry } from '@iop/observability';

startTelemetry('aftercare');
