/** Options of the ECR plugin (`ecrRegistry({...})`; CLI flags in the dockside README). */
export interface EcrRegistryOptions {
  /**
   * Port of the OCI registry (`/v2/`), on its own listener since the gateway's port serves the
   * task credentials path `/v2/credentials/`. Default 4510; when taken, a free port (logged).
   * 0 picks a free port. CLI `--ecr-port`, env `DOCKSIDE_ECR_PORT`.
   */
  port?: number;
  /** Host the registry listens on and names in repository URIs (default 127.0.0.1: the Docker engine trusts loopback over HTTP). */
  host?: string;
  /** Where blobs are kept (default: `<data-dir>/ecr-blobs` with `--data-dir`, else a temporary folder removed at exit). */
  storageDir?: string;
  /** How often lifecycle policies are applied (ms, default 60000). */
  lifecycleTickMs?: number;
}
