import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import type { Observable } from 'rxjs';

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly latency: Histogram) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<{ method: string; route?: { path?: string } }>();
    const response = http.getResponse<{ statusCode: number; once(event: 'close', listener: () => void): unknown }>();
    const stop = this.latency.startTimer();
    // Observed when the response is over: an error's status is set by the exception filter, after
    // the handler's observable has already failed, so timing the observable would label a 400 as 201.
    response.once('close', () => stop({ method: request.method, route: request.route?.path ?? 'unmatched', status: String(response.statusCode) }));
    return next.handle();
  }
}
