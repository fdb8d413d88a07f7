import { createHash } from 'node:crypto';
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
import type { Principal } from '@iop/auth';
import { ZodError } from 'zod';
import type { Redis } from './redis';
import { requestValueIssues } from './validation';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const PENDING_TTL_SECONDS = 60;

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
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
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly redis: Redis,
    private readonly service: string,
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
    const redisKey = `idempotency:${this.service}:${request.principal?.subject ?? 'anonymous'}:${key}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');

    let claimed: string | null;
    try {
      // A short claim: if this process dies mid-request, the key frees itself instead of answering 409 for a day.
      claimed = await this.redis.set(redisKey, JSON.stringify({ state: 'pending', fingerprint } satisfies Stored), { NX: true, EX: PENDING_TTL_SECONDS });
    } catch {
      throw new ServiceUnavailableException('cannot check the Idempotency-Key right now (Redis unavailable); nothing was saved, retry shortly');
    }
    if (claimed === null) {
      const existing = JSON.parse((await this.redis.get(redisKey)) ?? 'null') as Stored | null;
      if (!existing) throw new ConflictException('this Idempotency-Key has just expired or been released; retry the request');
      if (existing.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException('this Idempotency-Key was already used for a different request; use a new key for a new request');
      }
      if (existing.state === 'pending') throw new ConflictException('a request with this Idempotency-Key is still being processed; retry in a moment');
      response.status(existing.status ?? 200);
      response.setHeader('Idempotent-Replayed', 'true');
      return existing.body;
    }

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
    const stored: Stored = { state: 'done', fingerprint, status: response.statusCode, body };
    await this.redis.set(redisKey, JSON.stringify(stored), { EX: IDEMPOTENCY_TTL_SECONDS }).catch(() => undefined);
    return body;
  }
}
