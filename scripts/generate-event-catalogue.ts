/**
 * Writes the published event catalogue from libs/contracts: docs/events/asyncapi.yaml, one JSON Schema per
 * event in docs/events/schemas/, docs/events/README.md and deploy/k8s/kafka-topics.yaml (Strimzi topics).
 *   npm run catalogue               write the files (and remove schemas of events no longer in the catalogue)
 *   npm run catalogue -- --check    write nothing; exit 1 naming the files that are out of date (for CI)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderCatalogueFiles } from '@iop/contracts';

const ROOT = resolve(__dirname, '..');
const SCHEMA_DIR = 'docs/events/schemas';

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const files = renderCatalogueFiles();
  const changed = Object.keys(files).filter((path) => read(path) !== files[path]);
  // A schema file nobody generates any more would mislead readers into thinking the event still exists.
  const stale = schemaFilesOnDisk().filter((path) => !(path in files));

  if (values.check) {
    if (changed.length === 0 && stale.length === 0) {
      process.stdout.write('event catalogue is up to date\n');
      return;
    }
    for (const path of changed) process.stderr.write(`out of date: ${path}\n`);
    for (const path of stale) process.stderr.write(`no longer generated: ${path}\n`);
    process.stderr.write('run `npm run catalogue` and commit the result\n');
    process.exitCode = 1;
    return;
  }

  for (const path of changed) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), files[path]!);
    process.stdout.write(`wrote ${path}\n`);
  }
  for (const path of stale) {
    rmSync(join(ROOT, path));
    process.stdout.write(`removed ${path}\n`);
  }
  if (changed.length === 0 && stale.length === 0) process.stdout.write('event catalogue is up to date\n');
}

function read(path: string): string | undefined {
  const full = join(ROOT, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

function schemaFilesOnDisk(): string[] {
  const dir = join(ROOT, SCHEMA_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${SCHEMA_DIR}/${name}`);
}

main();
