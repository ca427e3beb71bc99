import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr (stdout stays free for the CLI banner). */
export function createLogger(level = 'info'): Logger {
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
