import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { safeError } from '@iop/observability';
import { databaseFailure } from '@iop/persistence';
import { DomainError } from './errors';
import { PROBLEM_CONTENT_TYPE, problemType, statusTitle, type ProblemDetails } from './problem';
import { currentRequest, requestIdFrom } from './request-context';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
}
interface HttpResponse {
  status(code: number): { send(body: string): void };
  setHeader(name: string, value: string): void;
  headersSent?: boolean;
}

type Problem = Omit<ProblemDetails, 'requestId' | 'instance' | 'type' | 'title'> & { code?: string };

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Every error leaves as RFC 9457 problem details a coordinator (or the developer helping them) can act
 * on; nothing internal leaks. The one place where failures become HTTP statuses: expected domain
 * outcomes carry their own, request-shape errors are 4xx, database failures are mapped by class
 * (a value Postgres cannot hold is a 400, a collision a 409, a broken rule a 422, a transient failure
 * a retryable 503), and only a defect is a 500. Logs get codes, never values.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    const problem = this.toProblem(exception);
    // The body parser runs before the request context exists, so its errors get their id here.
    const requestId = currentRequest()?.requestId ?? this.assignRequestId(request, response);
    const body: ProblemDetails = {
      type: problemType(problem.code),
      title: statusTitle(problem.status),
      status: problem.status,
      detail: problem.detail,
      instance: (request.originalUrl ?? request.url ?? '/').split('?')[0]!,
      ...(problem.code ? { code: problem.code } : {}),
      ...(problem.issues ? { issues: problem.issues } : {}),
      requestId,
      ...(problem.retryable ? { retryable: true } : {}),
    };
    // A 503 is a dependency away, said plainly to the caller: worth a warning, not an error per request.
    if (body.status === 503) this.log.warn({ err: safeError(exception), requestId, status: body.status }, 'request refused: a dependency is unavailable');
    else if (body.status >= 500) this.log.error({ err: safeError(exception), requestId, status: body.status }, 'request failed');
    if (response.headersSent) return;
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    if (problem.retryable) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.status).send(JSON.stringify(body));
  }

  private assignRequestId(request: HttpRequest, response: HttpResponse): string {
    const requestId = requestIdFrom(request.headers);
    if (!response.headersSent) response.setHeader('x-request-id', requestId);
    return requestId;
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ZodError) {
      return {
        status: 400,
        code: 'request.invalid',
        detail: 'the request is not valid: ' + exception.issues.map(describeIssue).join('; '),
        issues: exception.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: describeIssue(i) })),
      };
    }
    if (exception instanceof DomainError) {
      return { status: exception.status, code: exception.code, detail: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      let detail = typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? exception.message);
      // Nest turns body-parser's JSON errors into a bare 400 with JSON.parse's words.
      if (status === 400 && /JSON/.test(detail)) detail = `the request body is not valid JSON (${detail})`;
      return { status, detail, ...(status === 503 ? { retryable: true } : {}) };
    }
    const parser = this.bodyParserProblem(exception);
    if (parser) return parser;
    const failure = databaseFailure(exception);
    if (failure) {
      switch (failure.kind) {
        case 'transient':
          return {
            status: 503,
            code: 'service.unavailable',
            detail: 'the service cannot reach its database right now; nothing was saved, retry shortly',
            retryable: true,
          };
        case 'invalid-value':
          return {
            status: 400,
            code: 'request.unstorable-value',
            detail: 'a value in the request cannot be stored (out of range or malformed); nothing was saved',
          };
        case 'conflict':
          return { status: 409, code: 'request.conflict', detail: 'the change collides with a record that already exists; nothing was saved' };
        case 'constraint':
          return {
            status: 422,
            code: 'request.breaks-rule',
            detail: 'the change breaks a rule of the record (a missing or unknown reference); nothing was saved',
          };
        case 'unknown':
          break;
      }
    }
    return { status: 500, detail: 'something went wrong on our side; nothing was saved. Quote the request id when reporting it.' };
  }

  /** body-parser's errors carry a status and a type. */
  private bodyParserProblem(exception: unknown): Problem | undefined {
    const error = exception as { type?: unknown; status?: unknown };
    if (typeof error?.type !== 'string' || typeof error.status !== 'number') return undefined;
    switch (error.type) {
      case 'entity.parse.failed':
        return { status: 400, code: 'request.malformed-json', detail: 'the request body is not valid JSON' };
      case 'entity.too.large':
        return { status: 413, code: 'request.too-large', detail: 'the request body is larger than this endpoint accepts' };
      case 'encoding.unsupported':
        return {
          status: 415,
          code: 'request.encoding-unsupported',
          detail: 'send the request body uncompressed (Content-Encoding identity); compressed bodies are not accepted',
        };
      case 'content-type.unsupported':
        return { status: 415, code: 'request.content-type-unsupported', detail: 'send the request body as JSON, with "Content-Type: application/json"' };
      case 'charset.unsupported':
        return { status: 415, code: 'request.charset-unsupported', detail: 'send the request body as UTF-8 JSON' };
      default:
        return error.status >= 400 && error.status < 500
          ? { status: error.status, code: 'request.unreadable', detail: 'the request body could not be read' }
          : undefined;
    }
  }
}

function describeIssue(issue: ZodError['issues'][number]): string {
  const field = issue.path.join('.');
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${field ? ` in ${field}` : ''}`;
  return field ? `${field}: ${issue.message}` : issue.message;
}
