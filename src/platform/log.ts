import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Tokens, passwords and customer data never reach the logger: request lines carry ids, route, status
 * and timings only; the redact list is a second line of defence.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'taskline' },
      redact: {
        paths: ['token', 'password', '*.token', '*.password', 'headers.authorization', 'req.headers.authorization', 'authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
