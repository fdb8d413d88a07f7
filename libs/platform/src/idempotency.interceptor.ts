import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import {
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuditTrail, Principal } from '@iop/auth';
import { ZodError } from 'zod';
import type { Redis } from './redis';
import { currentRequest } from './request-context';
import type { UnitOfWork } from './unit-of-work';
import { requestValueIssues } from './validation';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const PENDING_TTL_SECONDS = 60;

/** Used only when IDEMPOTENCY_SECRET is not set: never in production (NODE_ENV=production refuses it). */
const DEVELOPMENT_IDEMPOTENCY_SECRET = 'iop-development-idempotency-secret-do-not-use-in-production';

export function idempotencySecret(): string {
  const secret = process.env['IDEMPOTENCY_SECRET'];
  if (secret) return secret;
  if (process.env['NODE_ENV'] === 'production') throw new Error('IDEMPOTENCY_SECRET must be set in production (it encrypts stored responses)');
  return DEVELOPMENT_IDEMPOTENCY_SECRET;
}

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  /** The response, encrypted under a key only the caller's Idempotency-Key and the service's secret give. */
  sealed?: string;
}

/** What a replay needs: the answer, and the patients it shows (to audit the replay as a read of them). */
interface Answer {
  body: unknown;
  patients: Array<[patientId: string, siteId: string | undefined]>;
}

interface HttpRequest {
  method: string;
  originalUrl: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}
interface HttpResponse {
  statusCode: number;
  status(code: number): void;
  setHeader(name: string, value: string): void;
}

/**
 * `Idempotency-Key` on POST: the first request's response is kept for 24 hours, and a retry with
 * the same key gets it back without running the command again. A key reused for a different request
 * is refused; a retry while the first is still running is told to wait. Failed requests keep no
 * response, so a corrected retry can run.
 *
 * A stored answer can hold PHI, so: it is kept per caller and per the exact set of sites the caller's
 * token reaches (a token for another site never finds it, even with the same subject and key); it is
 * encrypted (AES-256-GCM) under a key derived from the caller's Idempotency-Key and the service's
 * secret, so Redis alone holds nothing readable; and a replay is audited as a read of every patient
 * the first request audited.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly redis: Redis,
    private readonly service: string,
    private readonly secret: string,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    return from(this.handle(request, http.getResponse<HttpResponse>(), header, next));
  }

  private async handle(request: HttpRequest, response: HttpResponse, header: string | string[], next: CallHandler): Promise<unknown> {
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID');
    }
    // The fingerprint serialises the body, and this runs before the body's pipe: a body the request rules
    // refuse (30,000 nested brackets overflow JSON.stringify's stack) is refused here with the same 400.
    const issues = requestValueIssues(request.body);
    if (issues.length > 0) throw new ZodError(issues);
    const principal = request.principal;
    const scope = !principal ? 'anonymous' : principal.allSites ? 'all-sites' : [...principal.siteIds].sort().join(',');
    const owner = `${principal?.subject ?? 'anonymous'}\n${scope}`;
    // The Redis key names neither the caller nor the client's key: a hash of both, with the sites in force.
    const redisKey = `idempotency:${this.service}:${sha256(`${owner}\n${key}`)}`;
    const fingerprint = sha256(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`);

    let claimed: string | null;
    try {
      // A short claim: if this process dies mid-request, the key frees itself instead of answering 409 for a day.
      claimed = await this.redis.set(redisKey, JSON.stringify({ state: 'pending', fingerprint } satisfies Stored), { NX: true, EX: PENDING_TTL_SECONDS });
    } catch {
      throw new ServiceUnavailableException('cannot check the Idempotency-Key right now (Redis unavailable); nothing was saved, retry shortly');
    }
    if (claimed === null) return this.replay(redisKey, key, owner, fingerprint, request, response);

    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // Nothing was written: release the key so a corrected retry can run.
      await this.redis.del(redisKey).catch(() => undefined);
      throw error;
    }
    // The command has committed; failing to remember its response must not turn it into an error
    // (a retry would then run it twice). The claim expires on its own.
    const answer: Answer = { body, patients: [...(currentRequest()?.auditedPatients ?? new Map<string, string | undefined>())] };
    const stored: Stored = { state: 'done', fingerprint, status: response.statusCode, sealed: this.seal(answer, key, owner) };
    await this.redis.set(redisKey, JSON.stringify(stored), { EX: IDEMPOTENCY_TTL_SECONDS }).catch(() => undefined);
    return body;
  }

  private async replay(redisKey: string, key: string, owner: string, fingerprint: string, request: HttpRequest, response: HttpResponse): Promise<unknown> {
    let existing: Stored | null;
    try {
      existing = JSON.parse((await this.redis.get(redisKey)) ?? 'null') as Stored | null;
    } catch {
      throw new ServiceUnavailableException('cannot check the Idempotency-Key right now (Redis unavailable); nothing was saved, retry shortly');
    }
    if (!existing) throw new ConflictException('this Idempotency-Key has just expired or been released; retry the request');
    if (existing.fingerprint !== fingerprint) {
      throw new UnprocessableEntityException('this Idempotency-Key was already used for a different request; use a new key for a new request');
    }
    if (existing.state === 'pending' || !existing.sealed)
      throw new ConflictException('a request with this Idempotency-Key is still being processed; retry in a moment');
    const answer = this.open(existing.sealed, key, owner);
    if (answer.patients.length > 0) {
      // The replay shows these patients' records again: audited like the read it is, in one transaction.
      await this.uow.run(async ({ manager, principal, requestId }) => {
        for (const [patientId, siteId] of answer.patients) {
          await this.audit.record(
            manager,
            { principal, requestId },
            { action: 'read', resource: `idempotent-replay:${request.method} ${request.originalUrl.split('?')[0]}`, patientId, ...(siteId ? { siteId } : {}) },
          );
        }
      });
    }
    response.status(existing.status ?? 200);
    response.setHeader('Idempotent-Replayed', 'true');
    return answer.body;
  }

  private cipherKey(key: string, owner: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.secret, `${owner}\n${key}`, `idempotency:${this.service}`, 32));
  }

  private seal(answer: Answer, key: string, owner: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.cipherKey(key, owner), iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join('.');
  }

  private open(sealed: string, key: string, owner: string): Answer {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', this.cipherKey(key, owner), iv!);
    decipher.setAuthTag(tag!);
    return JSON.parse(Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8')) as Answer;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
