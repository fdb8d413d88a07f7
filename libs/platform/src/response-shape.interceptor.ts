import { CallHandler, ExecutionContext, Injectable, InternalServerErrorException, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from 'pino';
import { map, type Observable } from 'rxjs';
import type { z } from 'zod';
import { RESPONSE_SCHEMA } from './validation';

/**
 * Passes a handler's result through the response schema its `@Returns` declares, as JSON would carry it
 * (dates become ISO strings): what leaves is exactly what the OpenAPI document says, and fields nobody
 * declared never leave (minimum necessary). A result that breaks its own schema is a defect: logged with
 * the paths at fault (never the values) and answered 500.
 */
@Injectable()
export class ResponseShapeInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly log: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const schema = this.reflector.get<z.ZodType | undefined>(RESPONSE_SCHEMA, context.getHandler());
    if (!schema) return next.handle();
    return next.handle().pipe(
      map((result: unknown) => {
        const asJson: unknown = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
        const parsed = schema.safeParse(asJson);
        if (parsed.success) return parsed.data;
        this.log.error(
          {
            route: `${context.getClass().name}.${context.getHandler().name}`,
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
          },
          'response breaks its documented schema',
        );
        throw new InternalServerErrorException('the service produced an answer that breaks its own contract; nothing about your request was wrong');
      }),
    );
  }
}
