import type { INestApplication } from '@nestjs/common';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import {
  ConsentGranted,
  ConsentRevoked,
  CoverageRejected,
  CoverageVerificationFailed,
  CoverageVerified,
  EventRegistry,
  ReferralReceived,
  SiteRegistered,
  type EventDefinition,
  type PayloadOf,
} from '@iop/contracts';
import { createKafka, decodeEvent } from '@iop/messaging';
import {
  EventReaders,
  eventually,
  publishEvent,
  quietLogger,
  startService,
  tokenFor,
  uniqueName,
  useTestInfrastructure,
  type TestInfrastructure,
} from '@iop/testing';
import { InsuranceModule } from '../src/insurance.module';
// The simulator is a test double started in-process so a test can count the 270s it receives; not a runtime dependency.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startPayerSimulator, type PayerSimulator, type PayerSimulatorOptions } from '../../payer-simulator/src/payer-simulator';

export type Answer = {
  type: string;
  payload: PayloadOf<typeof CoverageVerified> | PayloadOf<typeof CoverageRejected> | PayloadOf<typeof CoverageVerificationFailed>;
};

export interface InsuranceKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly simulator: PayerSimulator;
  readonly producer: Producer;
  readonly answers: Map<string, Answer[]>;
  /** Every event of this type insurance publishes from now on, as a consumer downstream would see it. */
  eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>>;
  close(): Promise<void>;
}

/** The insurance service in-process, a payer simulator on a random port, a producer for intake's events and a reader of insurance's answers. */
export async function startInsurance(env: Record<string, string> = {}, simulatorOptions: PayerSimulatorOptions = {}): Promise<InsuranceKit> {
  const infra = await useTestInfrastructure();
  const simulator = await startPayerSimulator(simulatorOptions);
  Object.assign(process.env, { CLEARINGHOUSE_URL: simulator.url, CLEARINGHOUSE_RETRY_BACKOFF_MS: '20', VERIFICATION_WORKER_POLL_MS: '50', ...env });
  const app = await startService(InsuranceModule, 'insurance');
  const kafka: Kafka = createKafka(uniqueName('insurance-test'), quietLogger());
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  const answers = new Map<string, Answer[]>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('intake-saga-reader'), sessionTimeout: 6000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: CoverageVerified.topic, fromBeginning: true });
  const registry = new EventRegistry();
  const ours = new Set([CoverageVerified.type, CoverageRejected.type, CoverageVerificationFailed.type]);
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeEvent(message, registry, (type) => ours.has(type));
      if (decoded === 'not-ours') return;
      const payload = decoded.payload as Answer['payload'];
      answers.set(payload.requestId, [...(answers.get(payload.requestId) ?? []), { type: decoded.meta.type, payload }]);
    },
  });
  const readers = new EventReaders(kafka);
  return {
    infra,
    app,
    simulator,
    producer,
    answers,
    eventsOf: (definition) => readers.eventsOf(definition),
    async close() {
      await readers.close();
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await app?.close();
      await simulator.close();
    },
  };
}

/** Publishes an event as its producer would; see `publishEvent`. */
export const publish = publishEvent;

export function aPatient(overrides: Partial<{ memberId: string; payerId: string; relationship: string; priority: string }> = {}) {
  return {
    patientId: crypto.randomUUID(),
    payerId: 'cigna',
    priority: 'primary',
    memberId: `ACTIVE${Math.floor(Math.random() * 1e9)}`,
    groupNumber: 'GRP4410',
    relationship: 'self',
    subscriber: { firstName: 'Avery', lastName: 'Quill', birthDate: '1989-03-14', gender: 'F' },
    ...overrides,
  };
}

export interface Clinic {
  readonly siteId: string;
  readonly coordinator: string;
}

/** A site as scheduling registers it, through Kafka; resolves once insurance's site directory has it. */
export async function aClinic(kit: InsuranceKit): Promise<Clinic> {
  const siteId = crypto.randomUUID();
  await publish(kit.producer, SiteRegistered, {
    siteId,
    name: uniqueName('Clinic'),
    address: { line1: '1 Harbor Way', city: 'Boston', state: 'MA', postalCode: '02110' },
    timeZone: 'America/New_York',
    capacity: 30,
    revision: 1,
    occurredAt: new Date().toISOString(),
  });
  await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.site_directory WHERE site_id = $1`, [siteId])).toHaveLength(1));
  return { siteId, coordinator: await tokenFor('insurance_coordinator', [siteId]) };
}

export const api = (kit: InsuranceKit, token: string) => ({
  post: (path: string, body: object) => request(kit.app.getHttpServer()).post(path).set('authorization', `Bearer ${token}`).send(body),
  get: (path: string) => request(kit.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`),
  patch: (path: string, body: object) => request(kit.app.getHttpServer()).patch(path).set('authorization', `Bearer ${token}`).send(body),
  put: (path: string, body: object) => request(kit.app.getHttpServer()).put(path).set('authorization', `Bearer ${token}`).send(body),
});

export async function recordCoverage(
  kit: InsuranceKit,
  clinic: Clinic,
  body = aPatient(),
): Promise<{ coverageId: string; patientId: string; memberId: string; payerId: string }> {
  await referPatient(kit, clinic.siteId, body.patientId);
  const res = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages`, body);
  expect(res.status).toBe(201);
  return res.body as { coverageId: string; patientId: string; memberId: string; payerId: string };
}

/**
 * Intake's referral of the patient at the site, through Kafka as in production; resolves once insurance knows the
 * patient is the site's, so that coverages and authorisations naming them are accepted.
 */
export async function referPatient(kit: InsuranceKit, siteId: string, patientId: string = crypto.randomUUID()): Promise<string> {
  const referralId = crypto.randomUUID();
  await publish(kit.producer, ReferralReceived, {
    referralId,
    patientId,
    siteId,
    source: 'self',
    urgency: 'routine',
    repeatCaller: false,
    occurredAt: new Date().toISOString(),
  });
  await eventually(async () =>
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.patient_sites WHERE patient_id = $1 AND site_id = $2`, [patientId, siteId])).toHaveLength(1),
  );
  return patientId;
}

/** Intake's consent, through Kafka as in production; resolves once insurance's read model has it. */
export async function grantConsent(
  kit: InsuranceKit,
  siteId: string,
  patientId: string,
  payerId: string,
  overrides: Partial<PayloadOf<typeof ConsentGranted>> = {},
): Promise<string> {
  const consentId = overrides.consentId ?? crypto.randomUUID();
  const now = new Date();
  await publish(kit.producer, ConsentGranted, {
    consentId,
    patientId,
    siteId,
    discloser: { kind: 'site', id: siteId },
    recipients: [{ kind: 'payer', payerId }],
    purposes: ['payment'],
    information: 'all-sud-records',
    signedAt: new Date(now.getTime() - 60_000).toISOString(),
    occurredAt: now.toISOString(),
    ...overrides,
  });
  await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.consents WHERE consent_id = $1`, [consentId])).toHaveLength(1));
  return consentId;
}

export async function revokeConsent(kit: InsuranceKit, siteId: string, patientId: string, consentId: string): Promise<void> {
  const now = new Date().toISOString();
  await publish(kit.producer, ConsentRevoked, { consentId, patientId, siteId, revokedAt: now, occurredAt: now });
  await eventually(async () =>
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.consent_revocations WHERE consent_id = $1`, [consentId])).toHaveLength(1),
  );
}
