import type { INestApplication } from '@nestjs/common';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import {
  CoverageRejected,
  CoverageVerificationFailed,
  CoverageVerificationRequested,
  CoverageVerified,
  EventRegistry,
  PatientDischarged,
  SiteRegistered,
  SiteUpdated,
  type PayloadOf,
} from '@iop/contracts';
import { createKafka, decodeEvent } from '@iop/messaging';
import { aDischarge, eventually, publishEvent, quietLogger, tokenFor, uniqueName, type TestInfrastructure } from '@iop/testing';

/** Publishes an event as another service would, straight onto Kafka: the other service is faked at the Kafka level only. */
export const publish = publishEvent;

export type CoverageAnswer = 'verified' | 'rejected' | 'failed' | 'silent';

/**
 * Insurance's side of the admission saga: reads intake.coverage-requests and answers each request as the
 * test scripted for that patient (verified by default).
 */
export class FakeInsurance {
  private consumer: Consumer | undefined;
  private readonly answers = new Map<string, CoverageAnswer>();
  readonly requests: Array<PayloadOf<typeof CoverageVerificationRequested>> = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
  ) {}

  answer(patientId: string, answer: CoverageAnswer): void {
    this.answers.set(patientId, answer);
  }

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('fake-insurance'), sessionTimeout: 6000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: CoverageVerificationRequested.topic, fromBeginning: false });
    const registry = new EventRegistry();
    // Joining the group takes a moment; requests sent before that would be missed with fromBeginning: false.
    const joined = new Promise<void>((resolve) => {
      const off = this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEvent(message, registry, (type) => type === CoverageVerificationRequested.type);
        if (decoded === 'not-ours') return;
        const request = decoded.payload as PayloadOf<typeof CoverageVerificationRequested>;
        this.requests.push(request);
        await this.reply(request, this.answers.get(request.patientId) ?? 'verified');
      },
    });
    await joined;
  }

  private async reply(request: PayloadOf<typeof CoverageVerificationRequested>, answer: CoverageAnswer): Promise<void> {
    const common = {
      requestId: request.requestId,
      patientId: request.patientId,
      siteId: request.siteId,
      verificationId: crypto.randomUUID(),
      occurredAt: new Date().toISOString(),
    };
    switch (answer) {
      case 'verified':
        await publish(
          this.producer,
          CoverageVerified,
          { ...common, payerId: 'aetna', inNetwork: true, authorizationRequired: false, carveOut: false, method: 'electronic' },
          '/iop/insurance',
        );
        return;
      case 'rejected':
        await publish(this.producer, CoverageRejected, { ...common, reason: 'coverage-inactive', method: 'electronic' }, '/iop/insurance');
        return;
      case 'failed':
        await publish(this.producer, CoverageVerificationFailed, { ...common, reason: 'payer-unavailable', followUpPending: false }, '/iop/insurance');
        return;
      case 'silent':
        return;
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export interface Kit {
  readonly kafka: Kafka;
  readonly producer: Producer;
  /** Registers a site as scheduling would and waits until intake's site directory has it. */
  site(capacity?: number): Promise<string>;
  /** Changes a site's capacity as scheduling would (SiteUpdated, next revision) and waits until intake's directory has it. */
  resize(siteId: string, capacity: number): Promise<void>;
  /** Aftercare discharges the episode (`aftercare.patient-discharged` over Kafka); resolves once intake has ended it. */
  discharge(episode: { episodeId: string; patientId: string; siteId: string }, overrides?: Partial<PayloadOf<typeof PatientDischarged>>): Promise<void>;
  close(): Promise<void>;
}

export async function intakeKit(infra: TestInfrastructure, intake: INestApplication): Promise<Kit> {
  const kafka = createKafka(uniqueName('intake-test'), quietLogger(), infra.kafkaBrokers);
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  const admin = await tokenFor('network_admin');
  const sites = new Map<string, PayloadOf<typeof SiteRegistered>>();
  return {
    kafka,
    producer,
    async site(capacity = 30) {
      const siteId = crypto.randomUUID();
      const details = {
        siteId,
        name: uniqueName('Site'),
        address: { line1: '1 Harbor Way', city: 'Boston', state: 'MA', postalCode: '02110' },
        timeZone: 'America/New_York',
        capacity,
        revision: 1,
        occurredAt: new Date().toISOString(),
      };
      sites.set(siteId, details);
      await publish(producer, SiteRegistered, details, '/iop/scheduling');
      await eventually(async () => {
        await request(intake.getHttpServer()).get(`/site-directory/${siteId}`).set('authorization', `Bearer ${admin}`).expect(200);
      });
      return siteId;
    },
    async resize(siteId, capacity) {
      const before = sites.get(siteId)!;
      const details = { ...before, capacity, revision: before.revision + 1, occurredAt: new Date().toISOString() };
      sites.set(siteId, details);
      await publish(producer, SiteUpdated, details, '/iop/scheduling');
      await eventually(async () => {
        const res = await request(intake.getHttpServer()).get(`/site-directory/${siteId}`).set('authorization', `Bearer ${admin}`).expect(200);
        expect(res.body.capacity).toBe(capacity);
      });
    },
    async discharge(episode, overrides = {}) {
      await publish(producer, PatientDischarged, aDischarge(episode, overrides));
      await eventually(async () =>
        expect(await infra.adminQuery(`SELECT status FROM intake.episodes WHERE episode_id = $1`, [episode.episodeId])).toEqual([{ status: 'ended' }]),
      );
    },
    async close() {
      await producer.disconnect();
    },
  };
}

let people = 0;

/** A caller no other test uses: a distinct phone number and birth date. */
export function aCaller(overrides: Partial<{ givenName: string; familyName: string; dateOfBirth: string; phone: string }> = {}) {
  people += 1;
  const n = (Date.now() + people) % 10_000_000;
  return {
    givenName: 'Jordan',
    familyName: `Rivera${people}`,
    dateOfBirth: `19${String(50 + (people % 49)).padStart(2, '0')}-0${1 + (people % 9)}-1${people % 10}`,
    phone: `617${String(n).padStart(7, '0')}`,
    ...overrides,
  };
}

export function aReferral(siteId: string, overrides: Record<string, unknown> = {}) {
  return { siteId, source: 'self', caller: aCaller(), presentingConcerns: ['alcohol', 'depression'], ...overrides };
}

/** Every pre-screen question answered "no". */
export function aClearPreScreen(overrides: Record<string, boolean> = {}) {
  return {
    answers: {
      'heavy-daily-alcohol': false,
      'heavy-daily-benzodiazepines': false,
      'heavy-daily-opioids': false,
      'severe-withdrawal-history': false,
      'withdrawal-seizures': false,
      'current-withdrawal-symptoms': false,
      'unable-to-keep-self-safe': false,
      'severe-psychosis': false,
      'medically-unstable': false,
      'cssrs-wish-to-be-dead': false,
      'cssrs-suicidal-thoughts': false,
      'cssrs-behaviour-lifetime': false,
      ...overrides,
    },
  };
}

/** Ratings the rule table turns into IOP (2.1): moderate problems, nothing severe. */
export function anIopAssessment(overrides: Record<string, unknown> = {}) {
  return {
    population: 'adult',
    dimensions: {
      '1': { rating: 1 },
      '2': { rating: 0 },
      '3': { rating: 2, notes: 'low mood, no plan' },
      '4': { rating: 1 },
      '5': { rating: 2 },
      '6': { rating: 1 },
    },
    phq9: [1, 2, 1, 1, 1, 1, 1, 1, 0],
    gad7: [1, 1, 1, 1, 0, 0, 1],
    ...overrides,
  };
}

/** A consent letting the site disclose billing records to the payer for payment, signed now, valid a year. */
export function aPayerConsent(siteId: string, payerId = 'aetna', overrides: Record<string, unknown> = {}) {
  const signedAt = new Date(Date.now() - 60_000);
  return {
    disclosers: [{ kind: 'program', programId: siteId, name: 'Harbor IOP' }],
    recipients: [{ kind: 'payer', payerId, name: 'Aetna' }],
    purposes: [{ kind: 'payment' }],
    information: { kind: 'specific', categories: ['billing-and-claims', 'assessment'] },
    expiry: { kind: 'date', expiresAt: new Date(signedAt.getTime() + 365 * 86_400_000).toISOString() },
    signedAt: signedAt.toISOString(),
    signatureMethod: 'electronic',
    signer: { kind: 'patient', name: 'Jordan Rivera' },
    formStatements: ['right-to-revoke', 'treatment-not-conditioned-on-signing', 'redisclosure-potential'],
    ...overrides,
  };
}
