import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { DomainError } from './errors';
import { currentRequest, requestIdFrom } from './request-context';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponse {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
  headersSent?: boolean;
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  issues?: Array<{ field: string; message: string }>;
  requestId?: string;
}

/** Every error leaves as JSON a coordinator (or the developer helping them) can act on; nothing internal leaks. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<HttpResponse>();
    const body = this.toBody(exception);
    // The body parser runs before the request context exists, so its errors get their id here.
    body.requestId = currentRequest()?.requestId ?? this.assignRequestId(http.getRequest<HttpRequest>(), response);
    if (body.statusCode >= 500) this.log.error({ err: exception, requestId: body.requestId }, 'request failed');
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private assignRequestId(request: HttpRequest, response: HttpResponse): string {
    const requestId = requestIdFrom(request.headers);
    if (!response.headersSent) response.setHeader('x-request-id', requestId);
    return requestId;
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof ZodError) {
      return {
        statusCode: 400,
        error: 'Bad Request',
        message: 'the request is not valid: ' + exception.issues.map(describeIssue).join('; '),
        issues: exception.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: describeIssue(i) })),
      };
    }
    if (exception instanceof DomainError) {
      return { statusCode: exception.status, error: statusText(exception.status), code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      let message = typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? exception.message);
      // Nest turns body-parser's JSON errors into a bare 400 with JSON.parse's words.
      if (status === 400 && /JSON/.test(message)) message = `the request body is not valid JSON (${message})`;
      return { statusCode: status, error: statusText(status), message };
    }
    // body-parser's errors carry a status and a type.
    const parserError = exception as { type?: string; status?: number };
    if (parserError.type === 'entity.parse.failed') return { statusCode: 400, error: 'Bad Request', message: 'the request body is not valid JSON' };
    if (parserError.type === 'entity.too.large')
      return { statusCode: 413, error: 'Payload Too Large', message: 'the request body is larger than this endpoint accepts' };
    if (parserError.type && parserError.status && parserError.status < 500) {
      return { statusCode: parserError.status, error: 'Bad Request', message: 'the request body could not be read' };
    }
    return {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'something went wrong on our side; nothing was saved. Quote the request id when reporting it.',
    };
  }
}

function describeIssue(issue: ZodError['issues'][number]): string {
  const field = issue.path.join('.');
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${field ? ` in ${field}` : ''}`;
  return field ? `${field}: ${issue.message}` : issue.message;
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
