import { createClient } from 'redis';

export type Redis = ReturnType<typeof createClient>;

export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** How long a Redis command may take before the caller gets an error instead of a wait. */
export function redisCommandTimeoutMs(): number {
  return Number(process.env['REDIS_COMMAND_TIMEOUT_MS'] ?? 1000);
}

/** Calls that manage the connection rather than run a command: they keep their own timing. */
const LIFECYCLE = new Set<PropertyKey>(['connect', 'disconnect', 'quit', 'QUIT']);

export class RedisCommandTimeoutError extends Error {
  constructor(command: string, ms: number) {
    super(`redis ${command} timed out after ${ms} ms`);
    this.name = 'RedisCommandTimeoutError';
  }
}

/**
 * A client that reconnects by itself and fails fast while Redis is away: the offline queue is off, so a
 * command while disconnected is refused at once rather than queued until Redis returns (requests hung), and
 * every command has a timeout, for a Redis that accepts connections but does not answer. Callers see
 * errors while Redis is away and decide (the idempotency interceptor answers 503; a cache skips itself).
 */
export function createRedis(onError: (error: Error) => void, url = redisUrl(), commandTimeoutMs = redisCommandTimeoutMs()): Redis {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000), connectTimeout: 2000 },
  });
  client.on('error', onError);
  return withCommandTimeout(client, commandTimeoutMs);
}

/**
 * node-redis 4 has no command timeout of its own (an AbortSignal only withdraws a command not yet written), so
 * each command's promise races a timer. A command that times out may still run on the server later; callers
 * treat a timeout like any other failure whose outcome is unknown.
 */
export function withCommandTimeout(client: Redis, ms: number): Redis {
  return new Proxy(client, {
    get(target, property) {
      // The client keeps private state keyed by the real instance: always call with it as `this`.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (LIFECYCLE.has(property)) return method.bind(target);
      return (...args: unknown[]) => {
        const result = method.apply(target, args);
        return result instanceof Promise ? timeBound(result, String(property), ms) : result;
      };
    },
  });
}

function timeBound<T>(command: Promise<T>, name: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisCommandTimeoutError(name, ms)), ms);
    timer.unref();
  });
  // The loser must not become an unhandled rejection.
  command.catch(() => undefined);
  return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
}
