/** Options of the CloudWatch Logs plugin. */
export interface LogsOptions {
  /** How often retention is enforced in the background (ms); reads and writes enforce it too. */
  retentionSweepMs?: number;
}
