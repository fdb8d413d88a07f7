import { DataSource, type EntitySchema } from 'typeorm';
import { serviceDatabaseUrl } from './database-config';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
type EntityTarget = Function | EntitySchema;

/** The DataSource a service serves requests with: its own role, its own schema, a bounded pool. */
export function createServiceDataSource(service: string, entities: readonly EntityTarget[], url = serviceDatabaseUrl(service)): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: service,
    entities: [...entities],
    synchronize: false,
    migrationsRun: false,
    // Query logging would print parameters, which can be PHI; failures surface as exceptions instead.
    logging: false,
    extra: {
      max: Number(process.env['DB_POOL_SIZE'] ?? 10),
      application_name: `iop-${service}`,
      // pg closes a connection idle for 10 s by default, so steady traffic that now and then needs one more connection
      // opens a new backend each time (its own process, and every statement prepared and planned again on it): the
      // tail of a read at 100 req/s. Connections idle for 5 minutes are still closed, so a quiet service shrinks.
      idleTimeoutMillis: 5 * 60_000,
    },
  });
}
