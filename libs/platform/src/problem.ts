import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * Every error a service answers, in one shape: RFC 9457 problem details (`application/problem+json`).
 * `type` is `about:blank` for plain HTTP failures and `urn:iop:problem:<code>` for the platform's own
 * codes; `code`, `issues`, `requestId` and `retryable` are extensions a client can act on.
 */
export const ProblemDetails = z
  .object({
    type: z.string().describe('`urn:iop:problem:<code>` for a platform error code, `about:blank` otherwise'),
    title: z.string().describe('The HTTP status phrase'),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe('What went wrong and what to do about it, written for the person using the platform'),
    instance: z.string().describe('The request path (without its query)'),
    code: z.string().optional().describe('The error code, e.g. `referral.out-of-order` or `request.invalid`'),
    issues: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('For an invalid request: each field that is wrong and why'),
    requestId: z.string().describe('Quote it when reporting a problem; also in the `x-request-id` header'),
    retryable: z.boolean().optional().describe('True when the same request may succeed if sent again shortly (a 503)'),
  })
  .meta({ id: 'ProblemDetails' });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string | undefined): string {
  return code ? `urn:iop:problem:${code}` : 'about:blank';
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
