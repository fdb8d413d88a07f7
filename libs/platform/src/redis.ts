import { createClient } from 'redis';

export type Redis = ReturnType<typeof createClient>;

export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** A client that reconnects by itself; callers see errors while Redis is away, and readiness says so. */
export function createRedis(onError: (error: Error) => void, url = redisUrl()): Redis {
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000), connectTimeout: 2000 } });
  client.on('error', onError);
  return client;
}
