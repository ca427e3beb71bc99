/**
 * NLB UDP (and the UDP half of TCP_UDP) listeners: datagrams of one flow — the client's address and
 * port — go to one target through a socket of their own, and the target's answers come back to the
 * client from the listener's port. A flow idle for the UDP idle timeout (120 s on NLB, scaled like
 * every other timing) is forgotten, and its next datagram may pick another target.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

export interface UdpPick {
  host: string;
  port: number;
  /** Called when the flow ends (the balancer's outstanding count). */
  done(): void;
}

interface Flow {
  up: dgram.Socket;
  timer: NodeJS.Timeout;
  done(): void;
  /** Datagrams that came before the upstream socket connected. */
  pending?: Buffer[];
}

export class UdpRelay {
  private readonly flows = new Map<string, Flow>();
  readonly socket: dgram.Socket;

  constructor(
    host: string,
    private readonly pick: () => UdpPick | undefined,
    private readonly idleMs: number,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg, from) => this.onMessage(msg, from));
    this.socket.on('error', () => undefined);
  }

  /** Binds the port; false when it is taken. */
  bind(port: number, host: string): Promise<boolean> {
    return new Promise((resolve) => {
      const onError = () => resolve(false);
      this.socket.once('error', onError);
      this.socket.bind({ port, address: host, exclusive: true }, () => {
        this.socket.off('error', onError);
        resolve(true);
      });
    });
  }

  private onMessage(msg: Buffer, from: dgram.RemoteInfo) {
    const key = `${from.address}|${from.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const target = this.pick();
      if (!target) return; // no target: the datagram is dropped, as on NLB
      const up = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
      const created: Flow = { up, timer: setTimeout(() => this.end(key), this.idleMs), done: target.done, pending: [] };
      created.timer.unref();
      this.flows.set(key, created);
      up.on('message', (answer) => {
        this.touch(key);
        this.socket.send(answer, from.port, from.address);
      });
      up.on('error', () => this.end(key));
      up.connect(target.port, target.host, () => {
        for (const m of created.pending ?? []) up.send(m);
        delete created.pending;
      });
      flow = created;
    }
    this.touch(key);
    if (flow.pending) flow.pending.push(msg);
    else flow.up.send(msg);
  }

  private touch(key: string) {
    this.flows.get(key)?.timer.refresh();
  }

  private end(key: string) {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    clearTimeout(flow.timer);
    flow.up.close();
    flow.done();
  }

  close(): Promise<void> {
    for (const key of [...this.flows.keys()]) this.end(key);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
