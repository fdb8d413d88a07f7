import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { adminDatabaseUrl, provisionServiceDatabase } from '@iop/persistence';
import { PLATFORM_OPTIONS, PlatformModule, serviceMigrations, type PlatformOptions } from './platform.module';

/**
 * The platform options a service's root module imports `PlatformModule.forService` with, found in its
 * module metadata, so that the migrate step needs nothing but the module the service runs.
 */
export function platformOptionsOf(rootModule: Type<unknown>): PlatformOptions {
  const seen = new Set<unknown>();
  const search = (module: unknown): PlatformOptions | undefined => {
    if (!module || seen.has(module)) return undefined;
    seen.add(module);
    const dynamic = module as Partial<DynamicModule>;
    if (typeof module === 'object' && dynamic.module === PlatformModule) {
      const provider = (dynamic.providers ?? []).find(
        (p: Provider): p is { provide: string; useValue: PlatformOptions } => typeof p === 'object' && 'provide' in p && p.provide === PLATFORM_OPTIONS,
      );
      return provider?.useValue;
    }
    const target = typeof module === 'object' && dynamic.module ? dynamic.module : module;
    const imports = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, target as object) as unknown[] | undefined) ?? []),
      ...(typeof module === 'object' ? (dynamic.imports ?? []) : []),
    ];
    for (const imported of imports) {
      const found = search(imported);
      if (found) return found;
    }
    return undefined;
  };
  const options = search(rootModule);
  if (!options) throw new Error(`${rootModule.name} does not import PlatformModule.forService(...): nothing to migrate`);
  return options;
}

/**
 * The migrate step for the service a root module runs: as the administrator (DATABASE_URL), creates the
 * service's role and schema, runs its checked-in migrations and grants the role what it needs. Idempotent.
 */
export async function migrateService(rootModule: Type<unknown>, adminUrl = adminDatabaseUrl()): Promise<PlatformOptions> {
  const options = platformOptionsOf(rootModule);
  await provisionServiceDatabase(
    { service: options.service, migrations: serviceMigrations(options), appendOnlyTables: options.appendOnlyTables ?? [] },
    adminUrl,
  );
  return options;
}
