import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALL_TOPICS } from './topics';
import { EVENT_CATALOGUE, payloadJsonSchema } from './catalogue';
import { renderCatalogueFiles, schemaFileName } from './catalogue-files';

const ROOT = resolve(__dirname, '../../..');
const checkedIn = (path: string) => (existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), 'utf8') : undefined);
const named = EVENT_CATALOGUE.map((d) => [`${d.type} v${d.version}`, d] as const);

describe('the published event catalogue', () => {
  const files = renderCatalogueFiles();

  it('is checked in exactly as the generator writes it (run `npm run catalogue` after changing a contract)', () => {
    const outOfDate = Object.keys(files).filter((path) => checkedIn(path) !== files[path]);
    expect(outOfDate).toEqual([]);
  });

  it('has no schema file left for an event that is no longer in the catalogue', () => {
    const onDisk = readdirSync(join(ROOT, 'docs/events/schemas')).map((name) => `docs/events/schemas/${name}`);
    expect(onDisk.filter((path) => !(path in files))).toEqual([]);
  });

  it("links every event in the analysts' README to its payload schema", () => {
    const readme = files['docs/events/README.md']!;
    for (const d of EVENT_CATALOGUE) expect(readme).toContain(`](${schemaFileName(d)})`);
  });

  it('gives every catalogue topic a Strimzi KafkaTopic with its partitions and retention', () => {
    const topics = files['deploy/k8s/kafka-topics.yaml']!;
    for (const t of ALL_TOPICS) {
      expect(topics).toContain(`topicName: ${t.name}\n  partitions: ${t.partitions}\n`);
      expect(topics).toContain(`retention.ms: ${t.retentionMs}\n`);
    }
  });
});

describe('the event catalogue', () => {
  it('defines each event type at each version once', () => {
    const keys = EVENT_CATALOGUE.map((d) => `${d.type}@${d.version}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it.each(named)('puts %s on a topic in the topic catalogue', (_, definition) => {
    expect(ALL_TOPICS.map((t) => t.name)).toContain(definition.topic);
  });

  it.each(named)('publishes the payload of %s as a JSON Schema object', (_, definition) => {
    expect(payloadJsonSchema(definition)).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
  });
});
