/** Options of the ELBv2 plugin (`elbv2({...})`, CLI flags in the dockside README). */
export interface Elbv2Options {
  /**
   * Multiplies every health-check and draining time (interval, timeout, deregistration delay, LB
   * provisioning, slow start). AWS's minimum interval is 5 s; tests use e.g. 0.05 for 250 ms.
   * Default 1 (AWS timing). CLI `--elbv2-time-scale`, env `DOCKSIDE_ELBV2_TIME_SCALE`.
   */
  timeScale?: number;
  /**
   * The host listeners bind (default: the gateway's listen host). A listener takes its own port
   * when free, else a port derived from the load balancer and listener port (see the README).
   */
  listenHost?: string;
  /** First port of the range mapped ports are chosen from (default 20000, 10000 ports). */
  mappedPortBase?: number;
  /**
   * A certificate for HTTPS and TLS listeners, as PEM (ACM is not emulated). Without it, each
   * listener gets a self-signed certificate for its load balancer's DNS name and `localhost`.
   */
  certificate?: { cert: string; key: string };
}
